import { parseArgs } from 'node:util';
import { SETTINGS, type SettingName } from '../config/settings.ts';
import { InputError } from '../domain/errors.ts';
import type { Command, ParsedArgs } from './command.ts';

/** Flags every command accepts. */
export const GLOBAL_SETTINGS: readonly SettingName[] = ['dataDir', 'mode'];

const flagName = (name: SettingName) => SETTINGS[name].flag.replace(/^--/, '');

/** Splits argv into the command's own options, its positionals and setting flags (validated later by the table). */
export function parseCommandArgs(cmd: Command, argv: string[]): { args: ParsedArgs; settingFlags: Partial<Record<SettingName, string | string[]>> } {
  const settingNames = [...GLOBAL_SETTINGS, ...(cmd.settings ?? [])];
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }> = { help: { type: 'boolean' } };
  for (const n of settingNames) options[flagName(n)] = { type: 'string', multiple: SETTINGS[n].kind === 'list' };
  for (const [k, o] of Object.entries(cmd.options ?? {})) options[k] = { type: o.type, multiple: o.multiple ?? false };
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new InputError(`${(e as Error).message.replace(/\. To specify.*$/s, '')}\nRun: counterseed ${cmd.name} --help`);
  }
  const settingFlags: Partial<Record<SettingName, string | string[]>> = {};
  const own: ParsedArgs['options'] = {};
  for (const [k, v] of Object.entries(parsed.values)) {
    const setting = settingNames.find((n) => flagName(n) === k);
    if (setting) settingFlags[setting] = v as string | string[];
    else own[k] = v as string | boolean | string[];
  }
  // Issue 15 item 9: a stray word ("decoys list active") was ignored; a command without positionals refuses it.
  if (cmd.positionals === undefined && parsed.positionals.length > 0) {
    throw new InputError(`unexpected argument ${JSON.stringify(parsed.positionals[0])} (counterseed ${cmd.name} takes no arguments besides its options)\nRun: counterseed ${cmd.name} --help`);
  }
  return { args: { options: own, positionals: parsed.positionals }, settingFlags };
}

export function helpText(cmd: Command): string {
  const lines = [`Usage: counterseed ${cmd.name}${cmd.positionals ? ` ${cmd.positionals}` : ''} [options]`, '', cmd.summary, '', 'Options:'];
  for (const [k, o] of Object.entries(cmd.options ?? {})) lines.push(`  --${k}${o.arg ? ` ${o.arg}` : ''}`.padEnd(34) + o.doc + (o.multiple ? ' (repeatable)' : ''));
  for (const n of [...(cmd.settings ?? []), ...GLOBAL_SETTINGS]) {
    const s = SETTINGS[n];
    const def = Array.isArray(s.default) ? '' : ` [default: ${s.default}]`;
    lines.push(`  ${s.flag} ${s.kind === 'bool' ? 'true|false' : 'VALUE'}`.padEnd(34) + s.doc + def);
  }
  lines.push('  --help'.padEnd(34) + 'Show this help');
  return lines.join('\n');
}

export function requireString(args: ParsedArgs, name: string, cmd: string): string {
  const v = args.options[name];
  if (typeof v !== 'string' || v === '') throw new InputError(`--${name} is required (see: counterseed ${cmd} --help)`);
  return v;
}

export function optionalInt(args: ParsedArgs, name: string, min: number, max: number): number | undefined {
  const v = args.options[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !/^\d+$/.test(v) || Number(v) < min || Number(v) > max) throw new InputError(`--${name}: expected an integer in ${min}..${max}, got ${JSON.stringify(v)}`);
  return Number(v);
}

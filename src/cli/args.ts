import { parseArgs } from 'node:util';
import { SETTINGS, type SettingName } from '../config/settings.ts';
import { InputError } from '../domain/errors.ts';
import { normalizeIpInput } from '../domain/ip-address.ts';
import type { Command, ParsedArgs } from './command.ts';

/** Flags every command accepts. */
export const GLOBAL_SETTINGS: readonly SettingName[] = ['dataDir', 'mode', 'store', 'displayTimeZone'];

const flagName = (name: SettingName) => SETTINGS[name].flag.replace(/^--/, '');

/** Splits argv into the command's own options, its positionals and setting flags (validated later by the table). */
export function parseCommandArgs(cmd: Command, argv: string[]): { args: ParsedArgs; settingFlags: Partial<Record<SettingName, string | string[]>> } {
  const settingNames = [...GLOBAL_SETTINGS, ...(cmd.settings ?? [])];
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }> = { help: { type: 'boolean', short: 'h' } };
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

/** What a setting's flag takes, for help texts (issue 15 item 12: every one said VALUE). */
export function settingPlaceholder(name: SettingName): string {
  const s = SETTINGS[name];
  if (s.kind === 'bool') return 'true|false';
  if (s.kind === 'enum') return s.doc.match(/\(([^()]*\|[^()]*)\)$/)?.[1]?.replace(/ /g, '') ?? 'VALUE';
  const byName: Partial<Record<SettingName, string>> = {
    dataDir: 'DIR', bind: 'IP', addresses: 'IP', trackers: 'URL', dhtBootstrap: 'HOST:PORT', ntpServer: 'HOST',
    peerIdPrefix: 'PREFIX', clientVersion: 'TEXT', createdBy: 'TEXT', advertisedRequestQueue: 'N', creationDateSpreadDays: 'DAYS', uploadRate: 'BYTES/S',
  };
  const known = byName[name];
  if (known) return known;
  if (/Port$|^port$|^trackerServerPort$/.test(name)) return 'PORT';
  if (name.endsWith('Ms')) return 'MS';
  if (name.endsWith('S')) return 'SECONDS';
  return 'N';
}

/** Help lines: the flag column is padded, and a flag longer than the column gets the text on its own line. */
const helpLine = (flag: string, doc: string) => (flag.length >= 33 ? `${flag}\n${' '.repeat(34)}${doc}` : `${flag.padEnd(34)}${doc}`);

export function helpText(cmd: Command): string {
  const lines = [`Usage: counterseed ${cmd.name}${cmd.positionals ? ` ${cmd.positionals}` : ''} [options]`, '', cmd.summary, '', 'Options:'];
  for (const [k, o] of Object.entries(cmd.options ?? {})) lines.push(helpLine(`  --${k}${o.arg ? ` ${o.arg}` : ''}`, o.doc + (o.multiple ? ' (repeatable)' : '')));
  for (const n of [...(cmd.settings ?? []), ...GLOBAL_SETTINGS]) {
    const s = SETTINGS[n];
    const def = Array.isArray(s.default) ? '' : ` [default: ${s.default}]`;
    lines.push(helpLine(`  ${s.flag} ${settingPlaceholder(n)}`, s.doc + def));
  }
  lines.push(helpLine('  -h, --help', 'Show this help'));
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

/**
 * An `--ip` filter in any spelling of the address (2001:DB8:0::1, [2001:db8::1], ::ffff:198.18.0.2),
 * as the one spelling records are stored in (domain/ip-address.ts), so that every spelling finds them.
 */
export function optionalIp(args: ParsedArgs, name: string): string | undefined {
  const v = args.options[name];
  if (v === undefined) return undefined;
  const ip = typeof v === 'string' ? normalizeIpInput(v) : null;
  if (ip === null) throw new InputError(`--${name}: not an IP address: ${String(v)}`);
  return ip;
}

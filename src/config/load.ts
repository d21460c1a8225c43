import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../domain/errors.ts';
import { SETTINGS, isLoopbackOrLab, type SettingName, type Settings } from './settings.ts';

export interface LoadInput {
  /** Flag values by setting name, as strings (lists as arrays), already split from argv. */
  flags: Partial<Record<SettingName, string | string[]>>;
  env?: NodeJS.ProcessEnv;
}

/**
 * Precedence: defaults < <dataDir>/config.json < environment < flags.
 * Every value passes the table's validation; unknown config keys are an error, not a silent typo.
 */
export function loadSettings(input: LoadInput): Settings {
  const env = input.env ?? process.env;
  const out: Record<string, unknown> = {};
  for (const [name, s] of Object.entries(SETTINGS)) out[name] = s.default;

  const pick = (name: SettingName, raw: unknown, from: string) => {
    try { out[name] = SETTINGS[name].parse(raw); } catch (e) { throw new InputError(`${from}: ${(e as Error).message}`); }
  };
  // dataDir first: it locates the config file.
  const dataFlag = input.flags.dataDir;
  if (env.COUNTERSEED_DATA) pick('dataDir', env.COUNTERSEED_DATA, 'COUNTERSEED_DATA');
  if (typeof dataFlag === 'string') pick('dataDir', dataFlag, '--data');

  const file = join(out.dataDir as string, 'config.json');
  if (existsSync(file)) {
    let json: unknown;
    try { json = JSON.parse(readFileSync(file, 'utf8')); } catch (e) { throw new InputError(`${file}: not valid JSON: ${(e as Error).message}`); }
    if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new InputError(`${file}: expected a JSON object of settings`);
    const byKey = new Map(Object.entries(SETTINGS).map(([n, s]) => [s.key, n as SettingName]));
    for (const [k, v] of flattenKeys(json as Record<string, unknown>, byKey, file)) {
      const name = byKey.get(k);
      if (!name) throw new InputError(`${file}: unknown setting "${k}" (see: counterseed config docs)`);
      if (name !== 'dataDir') pick(name, v, file);
    }
  }
  for (const [name, s] of Object.entries(SETTINGS) as [SettingName, (typeof SETTINGS)[SettingName]][]) {
    if (s.env && name !== 'dataDir' && env[s.env] !== undefined) pick(name, env[s.env], s.env);
    const f = input.flags[name];
    if (f !== undefined && name !== 'dataDir') pick(name, f, s.flag);
  }
  const settings = out as Settings;
  checkNetworkSafety(settings);
  return settings;
}

/** Lab mode never talks to anything off this machine: enforce it here, once. */
function checkNetworkSafety(s: Settings): void {
  if (s.mode === 'live') return;
  for (const url of s.trackers) {
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    if (!isLoopbackOrLab(host)) throw new InputError(`tracker ${url} is not on loopback; external trackers need --mode live`);
  }
  if (s.centreUrl !== '' && !isLoopbackOrLab(new URL(s.centreUrl).hostname.replace(/^\[|\]$/g, ''))) {
    throw new InputError(`centre ${s.centreUrl} is not on loopback; a centre elsewhere needs --mode live`);
  }
  // Lab mode listens on loopback (or the RFC 2544 test addresses of our own namespaces) only; 0.0.0.0 would expose it.
  if (!isLoopbackOrLab(s.bind)) throw new InputError(`--bind ${s.bind}: lab mode binds loopback addresses only; use --mode live`);
  for (const a of s.addresses) if (!isLoopbackOrLab(a)) throw new InputError(`--address ${a}: lab mode binds loopback addresses only; use --mode live`);
}

/** Nesting deeper than any key of the settings table (`a.b.c`) is a mistake, and bounds the walk. */
const MAX_KEY_DEPTH = 4;

/**
 * config.json's keys, dotted or nested (issue 15 item 11): `{"seed.port": 1}` and
 * `{"seed": {"port": 1}}` both give `seed.port`. An object is walked only where its path is not
 * a setting itself; the same key given both ways is refused rather than one silently winning.
 */
export function flattenKeys(json: Record<string, unknown>, known: ReadonlyMap<string, unknown>, file: string): [string, unknown][] {
  const out = new Map<string, unknown>();
  const walk = (obj: Record<string, unknown>, prefix: string, depth: number) => {
    for (const [k, v] of Object.entries(obj)) {
      const key = prefix ? `${prefix}.${k}` : k;
      if (!known.has(key) && typeof v === 'object' && v !== null && !Array.isArray(v) && depth < MAX_KEY_DEPTH) { walk(v as Record<string, unknown>, key, depth + 1); continue; }
      if (out.has(key)) throw new InputError(`${file}: setting "${key}" is given twice (dotted and nested)`);
      out.set(key, v);
    }
  };
  walk(json, '', 1);
  return [...out];
}

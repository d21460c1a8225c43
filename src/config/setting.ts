import { checkTimeZone } from '../domain/display-time.ts';
import { InputError } from '../domain/errors.ts';

/** One row of the settings table (cf. libtorrent's settings_pack): config files, CLI flags and docs all come from it. */
export interface Setting<T> {
  /** Dotted key used in config files, e.g. "seed.port". */
  readonly key: string;
  /** CLI flag, e.g. "--port". */
  readonly flag: string;
  /** Environment variable, if any. */
  readonly env?: string;
  readonly kind: 'int' | 'string' | 'bool' | 'list' | 'enum';
  readonly default: T;
  readonly doc: string;
  /** Validates and converts raw input (a string from a flag/env, or a JSON value from a file). */
  parse(raw: unknown): T;
}

export function intSetting(key: string, flag: string, def: number, min: number, max: number, doc: string, env?: string): Setting<number> {
  return {
    key, flag, env, kind: 'int', default: def, doc: `${doc} (${min}..${max})`,
    parse(raw) {
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^-?\d+$/.test(raw.trim()) ? Number(raw.trim()) : NaN;
      if (!Number.isSafeInteger(n) || n < min || n > max) throw new InputError(`${key}: expected an integer in ${min}..${max}, got ${JSON.stringify(raw)}`);
      return n;
    },
  };
}

export function stringSetting(key: string, flag: string, def: string, doc: string, env?: string, pattern?: RegExp): Setting<string> {
  return {
    key, flag, env, kind: 'string', default: def, doc,
    parse(raw) {
      if (typeof raw !== 'string' || raw.length > 4096) throw new InputError(`${key}: expected a string, got ${JSON.stringify(raw)}`);
      if (pattern && !pattern.test(raw)) throw new InputError(`${key}: ${JSON.stringify(raw)} does not match ${pattern}`);
      return raw;
    },
  };
}

export function boolSetting(key: string, flag: string, def: boolean, doc: string, env?: string): Setting<boolean> {
  return {
    key, flag, env, kind: 'bool', default: def, doc,
    parse(raw) {
      if (typeof raw === 'boolean') return raw;
      if (raw === 'true' || raw === '1' || raw === 'yes') return true;
      if (raw === 'false' || raw === '0' || raw === 'no') return false;
      throw new InputError(`${key}: expected true or false, got ${JSON.stringify(raw)}`);
    },
  };
}

export function enumSetting<T extends string>(key: string, flag: string, values: readonly T[], def: T, doc: string, env?: string): Setting<T> {
  return {
    key, flag, env, kind: 'enum', default: def, doc: `${doc} (${values.join(' | ')})`,
    parse(raw) {
      if (typeof raw !== 'string' || !values.includes(raw as T)) throw new InputError(`${key}: expected one of ${values.join(', ')}, got ${JSON.stringify(raw)}`);
      return raw as T;
    },
  };
}

/** A repeatable flag; from a file, a JSON array of strings. */
export function listSetting(key: string, flag: string, doc: string, check: (s: string) => string | undefined, def: readonly string[] = []): Setting<readonly string[]> {
  return {
    key, flag, kind: 'list', default: def, doc,
    parse(raw) {
      const items = Array.isArray(raw) ? raw : [raw];
      return items.map((v) => {
        if (typeof v !== 'string') throw new InputError(`${key}: expected strings, got ${JSON.stringify(v)}`);
        const problem = check(v);
        if (problem) throw new InputError(`${key}: ${problem}: ${v}`);
        return v;
      });
    },
  };
}

/** An IANA time zone name, checked against the runtime's zone database; '' means UTC. */
export function timeZoneSetting(key: string, flag: string, doc: string, env?: string): Setting<string> {
  return {
    key, flag, env, kind: 'string', default: '', doc,
    parse(raw) {
      if (typeof raw !== 'string' || raw.length > 64) throw new InputError(`${key}: expected a time zone name, got ${JSON.stringify(raw)}`);
      return checkTimeZone(raw, key);
    },
  };
}

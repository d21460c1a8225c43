/**
 * Command-line options of bench/serve.bench.ts, validated and bounded: a
 * benchmark that runs away (a 1 TB payload, 100 000 downloaders) is a bug
 * in the invocation, so it is refused up front with the reason.
 */
import { parseArgs } from 'node:util';

export class BenchOptionError extends Error {
  override name = 'BenchOptionError';
}

export type Crypto = 'plain' | 'rc4';
export type LtProfile = 'default' | 'high_performance_seed';

export interface ServeBenchOptions {
  /** Size of every decoy in MiB (size mimicry: the warning video padded to it). */
  readonly sizeMiB: number;
  /** Number of decoys K; downloader i fetches decoy i mod K. */
  readonly decoys: number;
  /** Concurrency levels, in the order they run. */
  readonly levels: readonly number[];
  /** Repetitions of every (level, seeder) pair; the table shows medians. */
  readonly rounds: number;
  /** Per-level bound from first connect to last completion. */
  readonly timeoutS: number;
  /** Pause after the last completion before the final CPU sample. */
  readonly settleS: number;
  readonly crypto: Crypto;
  /** libtorrent presets to compare against, each in its own same-run comparison (default: both). */
  readonly ltProfiles: readonly LtProfile[];
  readonly jsonOut: string | undefined;
  readonly help: boolean;
}

export const USAGE = `usage: node bench/serve.bench.ts [options]   (inside the namespace: npm run bench:serve -- [options])
  --size-mib N        size of every decoy in MiB: the warning video padded to it (default 32, 1..1024)
  --decoys K          decoys built from the payload (default 4, 1..64)
  --n LIST            concurrency levels, comma-separated (default 1,8,32; each 1..256)
  --rounds R          repeat every level R times, report medians (default 3, 1..10)
  --timeout-s S       bound per level, first connect to last completion (default 300)
  --settle-s S        wait after the last completion before the last CPU sample (default 1)
  --crypto plain|rc4  downloaders refuse MSE (plain, default) or require RC4 (rc4)
  --lt-profile default|high_performance_seed|both   libtorrent reference settings (default: both, one table each)
  --json OUT          also write the figures as JSON to OUT`;

const LIMITS = { sizeMiB: [1, 1024], decoys: [1, 64], n: [1, 256], levels: [1, 16], rounds: [1, 10], timeoutS: [5, 3600], settleS: [0, 30] } as const;

function int(name: string, text: string, [lo, hi]: readonly [number, number]): number {
  if (!/^\d+$/.test(text)) throw new BenchOptionError(`--${name}: expected an integer, got "${text}"`);
  const v = Number(text);
  if (v < lo || v > hi) throw new BenchOptionError(`--${name}: ${v} is outside ${lo}..${hi}`);
  return v;
}

function num(name: string, text: string, [lo, hi]: readonly [number, number]): number {
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v)) throw new BenchOptionError(`--${name}: expected a number, got "${text}"`);
  if (v < lo || v > hi) throw new BenchOptionError(`--${name}: ${v} is outside ${lo}..${hi}`);
  return v;
}

function oneOf<T extends string>(name: string, text: string, allowed: readonly T[]): T {
  const hit = allowed.find((a) => a === text);
  if (hit === undefined) throw new BenchOptionError(`--${name}: expected ${allowed.join(' or ')}, got "${text}"`);
  return hit;
}

export function parseServeBenchOptions(argv: readonly string[]): ServeBenchOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        'size-mib': { type: 'string', default: '32' },
        decoys: { type: 'string', default: '4' },
        n: { type: 'string', default: '1,8,32' },
        rounds: { type: 'string', default: '3' },
        'timeout-s': { type: 'string', default: '300' },
        'settle-s': { type: 'string', default: '1' },
        crypto: { type: 'string', default: 'plain' },
        'lt-profile': { type: 'string', default: 'both' },
        json: { type: 'string' },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (e) {
    throw new BenchOptionError((e as Error).message);
  }
  const parts = values.n.split(',').map((s) => s.trim());
  if (parts.length < LIMITS.levels[0] || parts.length > LIMITS.levels[1]) throw new BenchOptionError(`--n: 1..${LIMITS.levels[1]} levels`);
  return {
    sizeMiB: int('size-mib', values['size-mib'], LIMITS.sizeMiB),
    decoys: int('decoys', values.decoys, LIMITS.decoys),
    levels: parts.map((p) => int('n', p, LIMITS.n)),
    rounds: int('rounds', values.rounds, LIMITS.rounds),
    timeoutS: num('timeout-s', values['timeout-s'], LIMITS.timeoutS),
    settleS: num('settle-s', values['settle-s'], LIMITS.settleS),
    crypto: oneOf('crypto', values.crypto, ['plain', 'rc4'] as const),
    ltProfiles: ltProfiles(oneOf('lt-profile', values['lt-profile'], ['default', 'high_performance_seed', 'both'] as const)),
    jsonOut: values.json,
    help: values.help,
  };
}

/** Issue 15 item 16: a benchmark reports libtorrent under both presets unless one is asked for. */
export function ltProfiles(choice: LtProfile | 'both'): readonly LtProfile[] {
  return choice === 'both' ? ['default', 'high_performance_seed'] : [choice];
}

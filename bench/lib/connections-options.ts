/**
 * Command-line options of bench/connections.bench.ts, validated and bounded
 * (a run that asks for a million sockets is a bug in the invocation).
 */
import { parseArgs } from 'node:util';
import { BenchOptionError, ltProfiles, type LtProfile } from './options.ts';

export type Side = 'counterseed' | 'libtorrent';

export interface ConnectionsBenchOptions {
  /** Connections opened and held against each seeder. */
  readonly connections: number;
  /** Distinct 127.x source addresses; connection i binds address i mod S. */
  readonly sources: number;
  /** Decoys served; connection i asks for decoy i mod K. */
  readonly decoys: number;
  /** Connections in flight (connecting or handshaking) at once during the ramp. */
  readonly concurrency: number;
  readonly holdS: number;
  readonly rampTimeoutS: number;
  /** Fresh seeders per side; the order alternates between rounds and the table shows medians. */
  readonly rounds: number;
  /** libtorrent presets to compare against, each in its own same-run comparison (default: both). */
  readonly ltProfiles: readonly LtProfile[];
  readonly sides: readonly Side[];
  readonly jsonOut: string | undefined;
  readonly help: boolean;
}

export const CONNECTIONS_USAGE = `usage: node bench/connections.bench.ts [options]   (inside the namespace: npm run bench:connections -- [options])
  --connections N     connections opened and held against each seeder (default 10000, 1..60000)
  --sources S         127.x source addresses they come from (default 100, 1..10000)
  --decoys K          decoys served by both seeders (default 1000, 1..100000)
  --concurrency C     connections in flight during the ramp (default 256, 1..4096)
  --hold-s S          how long every connection is held idle once all are open (default 10, 1..300)
  --ramp-timeout-s S  bound on the ramp; what is not open by then counts as failed (default 300)
  --rounds R          repeat each side R times with fresh seeders, alternating who goes first; medians (default 3, 1..10)
  --lt-profile high_performance_seed|default|both   libtorrent base settings (default both, one table each)
  --only counterseed|libtorrent   measure one side only (no ratios)
  --json OUT          also write every figure and raw sample as JSON to OUT`;

/** counterseed's --max-connections-per-ip tops out at 1000 (src/config/settings.ts). */
export const MAX_PER_SOURCE = 1000;

const LIMITS = { connections: [1, 60_000], sources: [1, 10_000], decoys: [1, 100_000], concurrency: [1, 4096], holdS: [1, 300], rampTimeoutS: [5, 3600], rounds: [1, 10] } as const;

function int(name: string, text: string, [lo, hi]: readonly [number, number]): number {
  if (!/^\d+$/.test(text)) throw new BenchOptionError(`--${name}: expected an integer, got "${text}"`);
  const v = Number(text);
  if (v < lo || v > hi) throw new BenchOptionError(`--${name}: ${v} is outside ${lo}..${hi}`);
  return v;
}

export function parseConnectionsBenchOptions(argv: readonly string[]): ConnectionsBenchOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv], strict: true, allowPositionals: false,
      options: {
        connections: { type: 'string', default: '10000' },
        sources: { type: 'string', default: '100' },
        decoys: { type: 'string', default: '1000' },
        concurrency: { type: 'string', default: '256' },
        'hold-s': { type: 'string', default: '10' },
        'ramp-timeout-s': { type: 'string', default: '300' },
        rounds: { type: 'string', default: '3' },
        'lt-profile': { type: 'string', default: 'both' },
        only: { type: 'string' },
        json: { type: 'string' },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (e) {
    throw new BenchOptionError((e as Error).message);
  }
  const connections = int('connections', values.connections, LIMITS.connections);
  const sources = int('sources', values.sources, LIMITS.sources);
  if (Math.ceil(connections / sources) > MAX_PER_SOURCE) {
    throw new BenchOptionError(`--sources: ${connections} connections from ${sources} addresses is more than ${MAX_PER_SOURCE} per address (counterseed's per-IP ceiling); raise --sources`);
  }
  const profile = values['lt-profile'];
  if (profile !== 'high_performance_seed' && profile !== 'default' && profile !== 'both') throw new BenchOptionError(`--lt-profile: expected high_performance_seed, default or both, got "${profile}"`);
  const only = values.only;
  if (only !== undefined && only !== 'counterseed' && only !== 'libtorrent') throw new BenchOptionError(`--only: expected counterseed or libtorrent, got "${only}"`);
  return {
    connections, sources,
    decoys: int('decoys', values.decoys, LIMITS.decoys),
    concurrency: int('concurrency', values.concurrency, LIMITS.concurrency),
    holdS: int('hold-s', values['hold-s'], LIMITS.holdS),
    rampTimeoutS: int('ramp-timeout-s', values['ramp-timeout-s'], LIMITS.rampTimeoutS),
    rounds: int('rounds', values.rounds, LIMITS.rounds),
    ltProfiles: ltProfiles(profile),
    sides: only === undefined ? ['counterseed', 'libtorrent'] : [only],
    jsonOut: values.json,
    help: values.help,
  };
}

/** S distinct loopback source addresses 127.1.x.y (y in 1..254): all of 127/8 is local on lo. */
export function sourceAddresses(count: number): string[] {
  if (!(Number.isInteger(count) && count >= 1 && count <= 254 * 256)) throw new RangeError(`source count must be 1..${254 * 256}`);
  return Array.from({ length: count }, (_, i) => `127.1.${Math.floor(i / 254)}.${(i % 254) + 1}`);
}

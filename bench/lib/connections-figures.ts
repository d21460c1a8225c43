/**
 * From the load generator's raw samples to the figures the connections
 * benchmark prints: pure functions, so the arithmetic is testable.
 * Memory in MB = 10^6 bytes; per-connection memory in KB = 10^3 bytes.
 */
import type { LoadResult } from './connections-load.ts';
import type { Side } from './connections-options.ts';

export interface ConnectionsFigure {
  readonly side: Side;
  /** 'ok' only when every requested connection opened and was still open after the hold. */
  readonly status: 'ok' | 'short';
  readonly target: number;
  readonly opened: number;
  readonly held: number;
  readonly handshakesPerS: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  readonly rssBaseMB: number;
  readonly rssHeldMB: number;
  readonly peakRssMB: number;
  /** (RSS while holding - RSS before the ramp) / connections held. */
  readonly kBPerConnection: number | null;
  /** Seeder CPU during the ramp divided by sessions opened. */
  readonly cpuUsPerHandshake: number | null;
  /** Seeder CPU while holding every connection idle, ms per second (1000 = one core). */
  readonly holdCpuMsPerS: number;
  readonly seederFdsHeld: number;
  readonly loadgenCpuS: number;
  readonly problems: readonly string[];
}

export function summariseConnections(side: Side, target: number, r: LoadResult, problems: readonly string[] = []): ConnectionsFigure {
  const { base, ramped, held } = r.seeder;
  const allProblems = [
    ...problems,
    ...Object.entries(r.failures).map(([k, v]) => `${v} failed to open: ${k}`),
    ...Object.entries(r.drops).map(([k, v]) => `${v} dropped after opening: ${k}`),
  ];
  return {
    side,
    status: r.opened === target && r.held === target && problems.length === 0 ? 'ok' : 'short',
    target, opened: r.opened, held: r.held,
    handshakesPerS: r.rampS > 0 ? r.opened / r.rampS : 0,
    latencyP50Ms: r.latencyMs.p50, latencyP99Ms: r.latencyMs.p99,
    rssBaseMB: (base.rssKiB * 1024) / 1e6,
    rssHeldMB: (held.rssKiB * 1024) / 1e6,
    peakRssMB: (held.peakRssKiB * 1024) / 1e6,
    kBPerConnection: r.held > 0 ? ((held.rssKiB - base.rssKiB) * 1024) / 1e3 / r.held : null,
    cpuUsPerHandshake: r.opened > 0 ? ((ramped.cpuS - base.cpuS) * 1e6) / r.opened : null,
    holdCpuMsPerS: r.holdS > 0 ? ((held.cpuS - ramped.cpuS) * 1000) / r.holdS : 0,
    seederFdsHeld: held.fds,
    loadgenCpuS: r.loadgenCpuS,
    problems: allProblems,
  };
}

interface Row { readonly label: string; readonly unit: string; readonly digits: number; get(f: ConnectionsFigure): number | null }

const ROWS: readonly Row[] = [
  { label: 'connections held after the hold', unit: '', digits: 0, get: (f) => f.held },
  { label: 'handshakes per second (ramp)', unit: '/s', digits: 0, get: (f) => f.handshakesPerS },
  { label: 'handshake latency p50', unit: 'ms', digits: 1, get: (f) => f.latencyP50Ms },
  { label: 'handshake latency p99', unit: 'ms', digits: 1, get: (f) => f.latencyP99Ms },
  { label: 'seeder CPU per handshake', unit: 'us', digits: 0, get: (f) => f.cpuUsPerHandshake },
  { label: 'RSS before the ramp', unit: 'MB', digits: 1, get: (f) => f.rssBaseMB },
  { label: 'RSS holding every connection', unit: 'MB', digits: 1, get: (f) => f.rssHeldMB },
  { label: 'peak RSS', unit: 'MB', digits: 1, get: (f) => f.peakRssMB },
  { label: 'memory per held connection', unit: 'KB', digits: 1, get: (f) => f.kBPerConnection },
  { label: 'CPU while holding them idle', unit: 'ms/s', digits: 1, get: (f) => f.holdCpuMsPerS },
];

/** counterseed / libtorrent; null when a side is missing, short of the target, or zero. */
export function ratioOf(cs: number | null, lt: number | null): number | null {
  if (cs === null || lt === null || lt === 0) return null;
  return cs / lt;
}

export function formatConnectionsTable(figures: readonly ConnectionsFigure[]): string {
  const cs = figures.find((f) => f.side === 'counterseed');
  const lt = figures.find((f) => f.side === 'libtorrent');
  const cell = (f: ConnectionsFigure | undefined, row: Row) => {
    if (!f) return '-';
    const v = row.get(f);
    return v === null ? '-' : `${v.toFixed(row.digits)}${row.unit ? ` ${row.unit}` : ''}`;
  };
  const lines = [`| figure | counterseed | libtorrent | cs/lt |`, '|---|---:|---:|---:|'];
  for (const row of ROWS) {
    // A side that did not hold every connection has no comparable rate or per-connection figure.
    const both = cs?.status === 'ok' && lt?.status === 'ok';
    const r = both ? ratioOf(row.get(cs), row.get(lt)) : null;
    lines.push(`| ${row.label} | ${cell(cs, row)} | ${cell(lt, row)} | ${r === null ? '-' : `x${r.toFixed(2)}`} |`);
  }
  for (const f of figures) {
    if (f.status !== 'ok') lines.push(`\n${f.side}: SHORT, ${f.held}/${f.target} held: ${f.problems.slice(0, 6).join('; ')}`);
  }
  return lines.join('\n');
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * Rounds of one side folded into one row: the median of every figure (a shared 2-core
 * machine varies by tens of percent between runs); held and opened are the worst round,
 * and the side is 'ok' only if every round was.
 */
export function medianFigure(rounds: readonly ConnectionsFigure[]): ConnectionsFigure {
  const first = rounds[0];
  if (first === undefined) throw new RangeError('no rounds to summarise');
  const med = (get: (f: ConnectionsFigure) => number) => median(rounds.map(get));
  const medOrNull = (get: (f: ConnectionsFigure) => number | null) => {
    const xs = rounds.map(get).filter((x): x is number => x !== null);
    return xs.length === rounds.length ? median(xs) : null;
  };
  return {
    side: first.side, target: first.target,
    status: rounds.every((f) => f.status === 'ok') ? 'ok' : 'short',
    opened: Math.min(...rounds.map((f) => f.opened)), held: Math.min(...rounds.map((f) => f.held)),
    handshakesPerS: med((f) => f.handshakesPerS), latencyP50Ms: med((f) => f.latencyP50Ms), latencyP99Ms: med((f) => f.latencyP99Ms),
    rssBaseMB: med((f) => f.rssBaseMB), rssHeldMB: med((f) => f.rssHeldMB), peakRssMB: med((f) => f.peakRssMB),
    kBPerConnection: medOrNull((f) => f.kBPerConnection), cpuUsPerHandshake: medOrNull((f) => f.cpuUsPerHandshake),
    holdCpuMsPerS: med((f) => f.holdCpuMsPerS), seederFdsHeld: med((f) => f.seederFdsHeld), loadgenCpuS: med((f) => f.loadgenCpuS),
    problems: [...new Set(rounds.flatMap((f) => f.problems))],
  };
}

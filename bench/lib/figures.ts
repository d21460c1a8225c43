/**
 * From raw samples to the figures the benchmark prints: pure functions, so
 * the arithmetic and the "a failed level is not a speed" rule are testable.
 * Units are decimal: MB = 10^6 bytes, GB = 10^9 bytes.
 */
import type { LoadSample } from './load.ts';
import type { SeederKind } from './seeders.ts';

export interface Figure {
  readonly n: number;
  readonly seeder: SeederKind;
  /** 'failed' when any round lost a download or timed out: then no speed is given. */
  readonly status: 'ok' | 'failed';
  readonly ok: number;
  readonly total: number;
  readonly rounds: number;
  /** Medians over rounds; null when failed (speed, CPU/GB) or unknown. */
  readonly mbPerS: number | null;
  readonly cpuSPerGB: number | null;
  readonly peakRssMB: number;
  /** Seeder CPU over wall time: 1.0 is one core busy the whole time. */
  readonly seederCores: number | null;
  readonly loadgenCores: number | null;
  readonly wallS: number | null;
  readonly problems: readonly string[];
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new RangeError('median of nothing');
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function complete(s: LoadSample): boolean {
  return !s.timedOut && s.ok === s.n && s.wallS > 0 && s.bytesDelivered > 0;
}

/** One row of the table: a seeder at one level, over every round. `problems` are failures outside the sample (e.g. an unclean seeder exit). */
export function summarise(seeder: SeederKind, n: number, samples: readonly LoadSample[], problems: readonly string[] = []): Figure {
  if (samples.length === 0) {
    return { n, seeder, status: 'failed', ok: 0, total: n, rounds: 0, mbPerS: null, cpuSPerGB: null, peakRssMB: 0, seederCores: null, loadgenCores: null, wallS: null, problems: problems.length ? problems : ['no sample'] };
  }
  const allOk = samples.every(complete) && problems.length === 0;
  const worst = samples.reduce((a, b) => (b.ok < a.ok ? b : a));
  const base = {
    n, seeder, ok: worst.ok, total: worst.n, rounds: samples.length,
    peakRssMB: median(samples.map((s) => s.seederPeakRssBytes / 1e6)),
    problems: [...problems, ...samples.flatMap((s) => [...(s.timedOut ? [`timed out with ${s.ok}/${s.n} complete`] : []), ...s.errors])],
  };
  if (!allOk) return { ...base, status: 'failed', mbPerS: null, cpuSPerGB: null, seederCores: null, loadgenCores: null, wallS: null };
  return {
    ...base,
    status: 'ok',
    mbPerS: median(samples.map((s) => s.bytesDelivered / 1e6 / s.wallS)),
    cpuSPerGB: median(samples.map((s) => s.seederCpuSettledS / (s.bytesDelivered / 1e9))),
    seederCores: median(samples.map((s) => s.seederCpuS / s.wallS)),
    loadgenCores: median(samples.map((s) => s.loadgenCpuS / s.wallS)),
    wallS: median(samples.map((s) => s.wallS)),
  };
}

export interface Ratio {
  readonly n: number;
  /** counterseed / libtorrent; null when either side failed. */
  readonly mbPerS: number | null;
  readonly cpuSPerGB: number | null;
  readonly peakRss: number | null;
}

export function ratio(cs: Figure, lt: Figure): Ratio {
  const div = (a: number | null, b: number | null) => (a === null || b === null || b === 0 ? null : a / b);
  const bothOk = cs.status === 'ok' && lt.status === 'ok';
  return {
    n: cs.n,
    mbPerS: bothOk ? div(cs.mbPerS, lt.mbPerS) : null,
    cpuSPerGB: bothOk ? div(cs.cpuSPerGB, lt.cpuSPerGB) : null,
    peakRss: div(cs.peakRssMB || null, lt.peakRssMB || null),
  };
}

const fmt = (v: number | null, digits = 1) => (v === null ? '-' : v.toFixed(digits));

export function formatTable(figures: readonly Figure[]): string {
  const head = '| N | seeder | MB/s | CPU s/GB | peak RSS MB | ok/total | seeder cores | loadgen cores |';
  const rule = '|---:|---|---:|---:|---:|---:|---:|---:|';
  const rows = figures.map((f) => `| ${f.n} | ${f.seeder} | ${f.status === 'ok' ? fmt(f.mbPerS) : 'FAILED'} | ${fmt(f.cpuSPerGB, 2)} | ${fmt(f.peakRssMB)} | ${f.ok}/${f.total} | ${fmt(f.seederCores, 2)} | ${fmt(f.loadgenCores, 2)} |`);
  return [head, rule, ...rows].join('\n');
}

export function formatRatio(r: Ratio): string {
  const x = (v: number | null) => (v === null ? 'n/a (a side failed)' : `x${v.toFixed(2)}`);
  return `N=${r.n}: counterseed/libtorrent  MB/s ${x(r.mbPerS)}  CPU s/GB ${x(r.cpuSPerGB)}  peak RSS ${x(r.peakRss)}`;
}

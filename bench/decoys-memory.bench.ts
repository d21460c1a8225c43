/**
 * Issue 15 item 13: peak memory of `decoys build` and `decoys export` at campaign scale. Both run
 * through the real CLI (bin/counterseed), each in its own process under /usr/bin/time, first for a
 * small reference list and then for the large one, in the same run: a command that streams peaks at
 * about the same RSS at both sizes (ratio near 1); one that holds every decoy grows with N.
 * Names are neutral placeholders with sizes from 6.5 MB, which gives the issue's ~8 KB .torrent
 * files (799 MB for 100,000).
 *
 *   npm run bench:decoys-memory     # BENCH_N=100000 BENCH_REF_N=5000 [BENCH_CLI=bin/counterseed]
 *
 * Guard: exits 1 when either command's peak grows by more than MAX_KB_PER_DECOY per decoy added between
 * the reference size and N. Holding the decoys costs at least their ~8 KB .torrent each; before
 * streaming, 100,000 vs 5,000 decoys grew build by 10.8 KB and export by 19.3 KB per decoy. What may
 * remain is the operator's name list itself, which the build takes whole (~0.5 KB a name, live). A
 * quick check:  BENCH_N=20000 BENCH_REF_N=5000 npm run bench:decoys-memory
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const N = Number(process.env.BENCH_N ?? 100_000);
const REF_N = Number(process.env.BENCH_REF_N ?? 5_000);
const CLI = resolve(process.env.BENCH_CLI ?? fileURLToPath(new URL('../bin/counterseed', import.meta.url)));
const TIMEOUT_MS = 60 * 60_000;
/** Peak growth per decoy (KB) above which a command is taken to hold its decoys. */
const MAX_KB_PER_DECOY = Number(process.env.BENCH_MAX_KB_PER_DECOY ?? 3);

/** name,size lines: 6.5 MB and up (~400 pieces of 16 KiB: ~8 KB .torrent files, as in the issue's run). */
export function nameList(n: number): string {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) lines.push(`holiday-video-${String(i).padStart(6, '0')}.mp4,${6_500_000 + i}`);
  return `${lines.join('\n')}\n`;
}

export interface Measured { readonly peakMb: number; readonly seconds: number }

/** Runs the CLI once under /usr/bin/time: its peak RSS (MB) and wall time. */
export function measure(args: readonly string[]): Measured {
  const t0 = performance.now();
  const p = spawnSync('/usr/bin/time', ['-f', '%M', CLI, ...args], { encoding: 'utf8', timeout: TIMEOUT_MS, maxBuffer: 64 * 1024 ** 2 });
  const seconds = (performance.now() - t0) / 1000;
  if (p.status !== 0) throw new Error(`counterseed ${args.join(' ')}: exit ${p.status}\n${p.stderr.slice(-2000)}`);
  const kb = Number(p.stderr.trim().split('\n').at(-1));
  if (!Number.isFinite(kb)) throw new Error(`no peak RSS from /usr/bin/time: ${p.stderr.slice(-500)}`);
  return { peakMb: kb / 1024, seconds };
}

/** Builds then exports n decoys in a fresh data directory. */
export function buildAndExport(n: number): { build: Measured; export: Measured; torrentMb: number } {
  const root = mkdtempSync(join(tmpdir(), 'cs-bench-mem-'));
  try {
    const data = join(root, 'data');
    const list = join(root, 'names.csv');
    writeFileSync(list, nameList(n));
    const build = measure(['decoys', 'build', '--names', list, '--data', data]);
    const out = join(root, 'torrents');
    const exp = measure(['decoys', 'export', '--out', out, '--data', data]);
    const files = readdirSync(out);
    if (files.length !== n + 1) throw new Error(`decoys export wrote ${files.length} files, expected ${n} .torrent and magnets.txt`);
    const torrentMb = files.reduce((a, f) => a + statSync(join(out, f)).size, 0) / 1e6;
    return { build, export: exp, torrentMb };
  } finally { rmSync(root, { recursive: true, force: true }); }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const fmt = (x: number, d = 0) => x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
  console.log(`decoys build / decoys export peak RSS (/usr/bin/time %M), ${CLI}`);
  const ref = buildAndExport(REF_N);
  const big = buildAndExport(N);
  for (const step of ['build', 'export'] as const) {
    console.log(`${`decoys ${step}`.padEnd(14)} ${fmt(N).padStart(7)} decoys: ${fmt(big[step].peakMb).padStart(5)} MB peak, ${fmt(big[step].seconds, 1)} s`
      + `   reference ${fmt(REF_N)} decoys: ${fmt(ref[step].peakMb)} MB peak, ${fmt(ref[step].seconds, 1)} s   ratio ${fmt(big[step].peakMb / ref[step].peakMb, 2)}`);
  }
  console.log(`.torrent files: ${fmt(big.torrentMb)} MB for ${fmt(N)} decoys (${fmt(ref.torrentMb, 1)} MB for ${fmt(REF_N)})`);
  const perDecoy = (step: 'build' | 'export') => ((big[step].peakMb - ref[step].peakMb) * 1024) / (N - REF_N);
  console.log(`peak growth per decoy added: build ${fmt(perDecoy('build'), 2)} KB, export ${fmt(perDecoy('export'), 2)} KB (guard: ${MAX_KB_PER_DECOY} KB)`);
  const grows = (['build', 'export'] as const).filter((step) => perDecoy(step) > MAX_KB_PER_DECOY);
  if (grows.length > 0) {
    console.log(`FAIL: ${grows.map((s) => `decoys ${s}`).join(', ')} holds its decoys: peak grows more than ${MAX_KB_PER_DECOY} KB per decoy`);
    process.exitCode = 1;
  } else console.log(`ok: neither peak grows more than ${MAX_KB_PER_DECOY} KB per decoy from ${fmt(REF_N)} to ${fmt(N)} decoys`);
}

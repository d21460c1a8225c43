// The public map (issue 11 item 5; the web page's /map) over a synthetic workload: the all-time map
// counted from the rollup (rollupUniqueIpsByArea: the year pairs joined to each address's place)
// beside the same map from the plain query over every delivery (uniqueIpsByArea, the reference, taken
// by a window ending 1 ms before the end of time), in the same run and store, and the two compared.
// Target: well under a second at 10 million deliveries (the plain query: 1,206 s wall / 145 s CPU there).
// Usage: node bench/public-map.bench.ts DATA_DIR [--store postgres://...] [--runs N] [--no-plain]
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { isDeepStrictEqual } from 'node:util';
import { refreshIntel } from '../src/app/intel-refresh.ts';
import { publicMap, type PublicMap } from '../src/app/public-map.ts';
import { loadSettings } from '../src/config/load.ts';
import { openContext } from '../src/node/context.ts';

const argv = process.argv.slice(2);
const opt = (name: string) => { const i = argv.indexOf(name); return i >= 0 ? argv.splice(i, 2)[1] : undefined; };
const store = opt('--store');
const runs = Math.min(Math.max(Number(opt('--runs') ?? 5), 1), 100);
const noPlain = argv.includes('--no-plain');
const dir = argv.find((a) => !a.startsWith('--'));
if (!dir || !existsSync(dir)) {
  console.log('usage: node bench/public-map.bench.ts DATA_DIR [--store postgres://...] [--runs N] [--no-plain]   (make it with: counterseed synth --deliveries 1000000 --out DATA_DIR)');
  process.exit(2);
}
const ctx = openContext(loadSettings({ flags: { dataDir: dir, ...(store ? { store } : {}) }, env: {} }), () => {}, undefined, 'read');
const load = () => `load ${loadavg().map((x) => x.toFixed(1)).join(' ')}`;
/** Wall and this process's CPU (on PostgreSQL the backend's CPU is not in it). */
const measure = (fn: () => PublicMap): { map: PublicMap; wall: number; cpu: number } => {
  const c = process.cpuUsage(), t = performance.now();
  const map = fn();
  const u = process.cpuUsage(c);
  return { map, wall: performance.now() - t, cpu: (u.user + u.system) / 1000 };
};
const K = 5;
const t0 = performance.now();
refreshIntel(ctx);
console.log(`store: ${store ? 'PostgreSQL' : 'SQLite'}; refresh before the run ${(performance.now() - t0).toFixed(0)} ms; ${load()}`);

const fast = Array.from({ length: runs }, () => measure(() => publicMap(ctx, { k: K })));
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fw = med(fast.map((r) => r.wall)), fc = med(fast.map((r) => r.cpu));
console.log(`rollup map (median of ${runs}): ${fw.toFixed(0)} ms wall, ${fc.toFixed(0)} ms CPU; target well under 1 s; ${load()}`);
if (!noPlain) {
  const plain = measure(() => publicMap(ctx, { k: K, filter: { to: 8.64e15 - 1 } }));
  const a = fast[0]!.map, b = plain.map;
  const same = isDeepStrictEqual([a.countries, a.norwayCounties, a.notPlaced, a.svg, a.geojson.features], [b.countries, b.norwayCounties, b.notPlaced, b.svg, b.geojson.features]);
  console.log(`plain map (reference, once): ${plain.wall.toFixed(0)} ms wall, ${plain.cpu.toFixed(0)} ms CPU; ratio ${(plain.wall / fw).toFixed(0)}x wall, ${(plain.cpu / fc).toFixed(0)}x CPU; same map: ${same}; ${load()}`);
  if (!same) process.exitCode = 1;
}
console.log(`countries shown: ${a0().countries.filter((c) => c.ips !== null).length}, Norwegian counties shown: ${a0().norwayCounties.filter((c) => c.ips !== null).length}, not placed: ${a0().notPlaced} (k ${K})`);
function a0() { return fast[0]!.map; }
await ctx.close();

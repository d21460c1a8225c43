/**
 * Evidence export and offline verification at scale (issue 5): a chained log of N deliveries
 * (default 1,000,000), then an export of one IP's records and of a 100,000-record time range, each
 * followed by the standalone verifier on the package it wrote.
 *
 *   node bench/export.bench.ts [records=1000000] [selection=100000]
 *
 * Figures: wall time, and peak RSS above the level before the step (VmHWM, reset before each step
 * through /proc/self/clear_refs); the verifier runs in its own process and reports its VmHWM.
 * Everything is local files; no network.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEvidence } from '../src/evidence/open.ts';
import { writeExportPackage } from '../src/exports/package-writer.ts';
import { toolInfo } from '../src/exports/tool-info.ts';
import type { LogFilter } from '../src/store/sqlite/evidence-log.ts';
import { benchDelivery, benchStore, T0 } from './lib/evidence-fixture.ts';

const N = Number(process.argv[2] ?? 1_000_000);
const SELECTION = Number(process.argv[3] ?? 100_000);
if (!Number.isSafeInteger(N) || N < 1000 || !Number.isSafeInteger(SELECTION) || SELECTION < 1 || SELECTION > N) {
  throw new Error('usage: node bench/export.bench.ts [records >= 1000] [selection <= records]');
}
const VERIFIER = join(import.meta.dirname, '../verifier/verify.mjs');

const mb = (kib: number) => kib / 1024;
const status = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync('/proc/self/status', 'utf8'))![1]);

/** IPs spread so that one IP holds a handful of records. */
const ip = (i: number) => `198.18.${(i >> 8) & 255}.${i % 251}`;

const dir = mkdtempSync(join(tmpdir(), 'cs-bench-export-'));
try {
  const store = benchStore(dir);
  const ev = openEvidence(store, dir);
  let t = performance.now();
  for (let i = 0; i < N; i += 5000) await store.appendObservations(Array.from({ length: Math.min(5000, N - i) }, (_, k) => benchDelivery(i + k, ip(i + k))));
  const writeS = (performance.now() - t) / 1000;
  t = performance.now();
  // The first checkpoint audits every record (re-derived, filed in the key index); later ones only the records since.
  const first = ev.log.checkpoint('manual');
  const auditS = (performance.now() - t) / 1000;
  const more = 10_000;
  for (let i = N; i < N + more; i += 5000) await store.appendObservations(Array.from({ length: 5000 }, (_, k) => benchDelivery(i + k, ip(i + k))));
  t = performance.now();
  const next = ev.log.checkpoint('manual'); // audited: every row counted, the new records derived and indexed
  const nextS = (performance.now() - t) / 1000;
  // The node's own checkpoint after as many more: the process kept the index's leaf hashes and the row counts of the last one.
  for (let i = N + more; i < N + 2 * more; i += 5000) await store.appendObservations(Array.from({ length: 5000 }, (_, k) => benchDelivery(i + k, ip(i + k))));
  t = performance.now();
  const periodic = ev.log.checkpoint('periodic');
  const periodicS = (performance.now() - t) / 1000;
  console.log(`export bench: ${N.toLocaleString('en-US')} chained deliveries written in ${writeS.toFixed(1)} s; first checkpoint (audit of all, ${first.body.index_size ?? 0} index keys) ${auditS.toFixed(1)} s; after ${more.toLocaleString('en-US')} more: manual checkpoint (every row counted) ${(nextS * 1000).toFixed(0)} ms, then periodic (row counts, kept leaf hashes) ${(periodicS * 1000).toFixed(0)} ms (${periodic.treeSize.toLocaleString('en-US')} records); node ${process.version}`);
  console.log('selection                       records   export s   export peak +MB   package MB   verify s   verifier peak MB   verdict');

  const tool = toolInfo({ mode: 'lab', port: 6881 });
  // As the CLI records it in the manifest: the verifier ties a completeness proof to the selection it claims.
  const selectionOf = (f: LogFilter): Record<string, string | number> => ({
    ...(f.ip !== undefined ? { ip: f.ip } : {}), ...(f.from !== undefined ? { from: new Date(f.from).toISOString() } : {}), ...(f.to !== undefined ? { to: new Date(f.to).toISOString() } : {}),
  });
  const cases: [string, LogFilter][] = [
    ['one IP', { ip: '198.18.7.100' }],
    [`${SELECTION.toLocaleString('en-US')} by time`, { from: T0 + Math.floor((N - SELECTION) / 2), to: T0 + Math.floor((N - SELECTION) / 2) + SELECTION }],
  ];
  for (const [label, filter] of cases) {
    const out = join(dir, `out-${cases.findIndex((c) => c[0] === label)}`);
    writeFileSync('/proc/self/clear_refs', '5');
    const base = status('VmRSS');
    t = performance.now();
    const s = await writeExportPackage({ table: ev.table, log: ev.log, key: ev.key, getDecoy: (id) => store.getDecoy(id), tool, now: Date.now, published: ev.published }, { filter, selection: selectionOf(filter), out });
    const exportS = (performance.now() - t) / 1000;
    const peak = mb(status('VmHWM') - base);
    const size = Number(execFileSync('du', ['-sk', out]).toString().split('\t')[0]) / 1024;
    t = performance.now();
    // The verifier as a defence expert runs it: its own process; it prints its verdict and its own peak RSS
    // (VmHWM of its own address space: getrusage's maxRSS would carry this process's over the fork).
    const v = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e',
      `const m = await import(${JSON.stringify(VERIFIER)}); const r = m.verifyPackage(${JSON.stringify(out)}); const hwm = Number(/VmHWM:\\s+(\\d+)/.exec((await import('node:fs')).readFileSync('/proc/self/status', 'utf8'))[1]); console.log(JSON.stringify({ ok: r.ok, findings: r.findings.length, maxRss: hwm }));`,
    ], { maxBuffer: 1 << 20 }).toString()) as { ok: boolean; findings: number; maxRss: number };
    const verifyS = (performance.now() - t) / 1000;
    console.log(`${label.padEnd(28)} ${String(s.records).padStart(10)} ${exportS.toFixed(1).padStart(10)} ${peak.toFixed(0).padStart(17)} ${size.toFixed(0).padStart(12)} ${verifyS.toFixed(1).padStart(10)} ${mb(v.maxRss).toFixed(0).padStart(18)}   ${v.ok ? 'verifies' : `${v.findings} findings`}`);
    rmSync(out, { recursive: true, force: true });
  }
  ev.detach();
  await store.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}

/**
 * Issue 16 item 1: an evidence export of 100,000 records called from the application layer must not
 * block its caller's event loop (a future HTTP handler). The same export runs inline (the reference:
 * the caller's thread does the work) and on a worker thread (exportEvidence(..., { offThread: true })),
 * in the same run, on the same data directory; the caller's event-loop delay is printed for both, with
 * the ratio: a 1 ms interval timer's lateness at every tick (and from its last tick to the export's end),
 * beside perf_hooks.monitorEventLoopDelay's histogram, which samples only when its own timer gets to run.
 *
 *   node bench/export-delay.bench.ts [records=100000]
 */
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { evidenceDataDir, exportWithDelay, type DelayFigures } from './lib/export-delay.ts';

const N = Number(process.argv[2] ?? 100_000);
const settings = await evidenceDataDir(N);
const fmt = (x: number, d = 1) => x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
console.log(`export-delay bench: evidence export of ${N.toLocaleString('en-US')} records; node ${process.version}; load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
const row = (label: string, f: DelayFigures) => console.log(`${label.padEnd(12)} ${f.records.toLocaleString('en-US').padStart(8)} records  ${fmt(f.seconds).padStart(6)} s   caller's event-loop delay p50 ${fmt(f.p50).padStart(7)} ms  p99 ${fmt(f.p99).padStart(8)} ms  max ${fmt(f.max).padStart(9)} ms   (monitorEventLoopDelay p99 ${fmt(f.histogramP99)} ms, max ${fmt(f.histogramMax)} ms)`);
const inline = await exportWithDelay(settings, join(settings.dataDir, '..', 'inline'), false);
row('inline', inline);
const worker = await exportWithDelay(settings, join(settings.dataDir, '..', 'off-thread'), true);
row('off-thread', worker);
console.log(`ratio off-thread / inline: p99 ${fmt(worker.p99 / inline.p99, 3)}, max ${fmt(worker.max / inline.max, 3)}`);

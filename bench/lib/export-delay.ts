import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { withContext } from '../../src/app/context.ts';
import { exportEvidence } from '../../src/app/evidence.ts';
import { loadSettings } from '../../src/config/load.ts';
import type { Settings } from '../../src/config/settings.ts';
import { openEvidence } from '../../src/evidence/open.ts';
import { benchDelivery, benchStore, T0 } from './evidence-fixture.ts';

/** A data directory whose evidence log holds `n` chained deliveries of BENCH_DECOY (a checkpoint signed over them). */
export async function evidenceDataDir(n: number): Promise<Settings> {
  const root = mkdtempSync(join(tmpdir(), 'cs-export-delay-'));
  const dataDir = join(root, 'data');
  const store = benchStore(dataDir);
  const ev = openEvidence(store, dataDir);
  for (let i = 0; i < n; i += 5000) await store.appendObservations(Array.from({ length: Math.min(5000, n - i) }, (_, k) => benchDelivery(i + k, '198.18.0.11')));
  ev.log.checkpoint('manual');
  ev.detach();
  await store.close();
  return loadSettings({ flags: { dataDir }, env: {} });
}

export interface DelayFigures {
  readonly records: number;
  readonly seconds: number;
  /** The caller's event-loop delay while the export ran, ms: a 1 ms timer's lateness (p50, p99, max) over the run. */
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  /** The same from perf_hooks.monitorEventLoopDelay (which samples only when its timer runs). */
  readonly histogramP99: number;
  readonly histogramMax: number;
}

/**
 * Exports every record (one IP's) from the data directory, inline or on a worker thread, measuring the
 * caller's event-loop delay: a 1 ms interval timer's lateness at each tick, and the time from its last
 * tick to the end (a loop blocked until the export returns shows there).
 */
export async function exportWithDelay(settings: Settings, out: string, offThread: boolean): Promise<DelayFigures> {
  return withContext(settings, () => {}, async (ctx) => {
    const h = monitorEventLoopDelay({ resolution: 1 });
    const late: number[] = [];
    let last = performance.now();
    const tick = setInterval(() => { const now = performance.now(); late.push(Math.max(0, now - last - 1)); last = now; }, 1);
    const t = performance.now();
    h.enable();
    const r = await exportEvidence(ctx, { out, filter: { ip: '198.18.0.11', from: T0 } }, { offThread });
    const end = performance.now();
    late.push(Math.max(0, end - last - 1));
    clearInterval(tick);
    // The histogram takes a sample when its timer fires: let it fire once after a loop that was blocked.
    await new Promise((resolve) => setTimeout(resolve, 20));
    h.disable();
    late.sort((a, b) => a - b);
    const pct = (p: number) => late[Math.min(late.length - 1, Math.floor((late.length * p) / 100))]!;
    const ms = (x: number) => x / 1e6;
    return {
      records: r.records, seconds: (end - t) / 1000, p50: pct(50), p99: pct(99), max: late[late.length - 1]!,
      histogramP99: ms(h.percentile(99)), histogramMax: ms(h.max),
    };
  });
}

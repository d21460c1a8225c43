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
  /** monitorEventLoopDelay in the calling thread while the export ran, ms. */
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

/** Exports every record (one IP's) from the data directory, inline or on a worker thread, measuring the caller's event-loop delay. */
export async function exportWithDelay(settings: Settings, out: string, offThread: boolean): Promise<DelayFigures> {
  return withContext(settings, () => {}, async (ctx) => {
    const h = monitorEventLoopDelay({ resolution: 1 });
    const t = performance.now();
    h.enable();
    const r = await exportEvidence(ctx, { out, filter: { ip: '198.18.0.11', from: T0 } }, { offThread });
    const seconds = (performance.now() - t) / 1000;
    // The histogram takes a sample when its timer fires: let it fire once after a loop that was blocked.
    await new Promise((resolve) => setTimeout(resolve, 20));
    h.disable();
    const ms = (x: number) => x / 1e6;
    return { records: r.records, seconds, p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), max: ms(h.max) };
  });
}

import type { Settings } from '../config/settings.ts';
import { LabConfigError } from '../lab/errors.ts';
import { runLab, type LabInit, type LabReport } from '../lab/lab.ts';
import { withLockedContext } from './context.ts';

export type { LabInit, LabReport } from '../lab/lab.ts';

/**
 * Lab settings from the caller's: loopback only, an ephemeral peer port unless one was chosen,
 * a built-in tracker on an ephemeral port with a short interval, and no external trackers.
 */
export function labSettings(settings: Settings): Settings {
  return {
    ...settings, bind: '127.0.0.1', port: settings.port === 6881 ? 0 : settings.port, trackerServerPort: 0, announceIntervalS: 5, trackers: [],
    // A 5 s interval makes the simulated downloaders announce 360 times as often as real ones (1800 s),
    // from a few 127.x /24s: per source, they would pass the flood budget and be counted in aggregates,
    // so the lab allows 1,000 records per second per source (the global budget stays).
    recordsPerSourcePerSecond: Math.max(settings.recordsPerSourcePerSecond, 1000),
    // Every simulated downloader is in 127.0.1.0/24 and up to 256 run at once: the per-/24 limit must not refuse them.
    maxConnectionsPerPrefix: Math.max(settings.maxConnectionsPerPrefix, settings.maxConnections),
  };
}

export interface LabResult { readonly report: LabReport; readonly dataDir: string }

/** The whole system on loopback with simulated downloaders; refuses to run in live mode. */
export async function runLabMode(settings: Settings, init: LabInit, opts: { readonly signal: AbortSignal; readonly log: (m: string) => void }): Promise<LabResult> {
  if (settings.mode !== 'lab') throw new LabConfigError('lab runs in lab mode only');
  const lab = labSettings(settings);
  // 'lab': an evidence directory is refused (DataPurposeError, exit 77) before anything is written there.
  const report = await withLockedContext(lab, 'lab', opts.log, (ctx) => runLab(ctx, init, opts), 'lab');
  return { report, dataDir: lab.dataDir };
}

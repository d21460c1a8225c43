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
  return { ...settings, bind: '127.0.0.1', port: settings.port === 6881 ? 0 : settings.port, trackerServerPort: 0, announceIntervalS: 5, trackers: [] };
}

export interface LabResult { readonly report: LabReport; readonly dataDir: string }

/** The whole system on loopback with simulated downloaders; refuses to run in live mode. */
export async function runLabMode(settings: Settings, init: LabInit, opts: { readonly signal: AbortSignal; readonly log: (m: string) => void }): Promise<LabResult> {
  if (settings.mode !== 'lab') throw new LabConfigError('lab runs in lab mode only');
  const lab = labSettings(settings);
  const report = await withLockedContext(lab, 'lab', opts.log, (ctx) => runLab(ctx, init, opts));
  return { report, dataDir: lab.dataDir };
}

import type { Settings } from '../config/settings.ts';
import type { EvidenceStore } from '../store/evidence-store.ts';
import { SqliteStore } from '../store/sqlite/sqlite-store.ts';
import { Checkpointer } from './checkpointer.ts';
import { ClockMonitor, probeClock } from './clock.ts';
import { openEvidence } from './open.ts';
import { querySntp } from './sntp.ts';
import { recordUncleanShutdowns } from './unclean-shutdown.ts';

export interface NodeEvidence {
  readonly fingerprint: string;
  /** Call after the recorder has written everything: final clock state, shutdown checkpoint, run marked stopped. */
  stop(): Promise<void>;
}

/**
 * Everything issue 5 adds to a running node, wired in one place: the chain hook on the store,
 * clock records (NTP only in live mode), periodic checkpoints and the shutdown checkpoint.
 * Returns undefined for stores without a tamper-evident log (none yet besides SQLite).
 */
export async function startNodeEvidence(
  c: { store: EvidenceStore; settings: Settings; log: (m: string) => void; now?: () => number },
): Promise<NodeEvidence | undefined> {
  if (!(c.store instanceof SqliteStore)) { c.log('evidence: this store has no tamper-evident log; observations are not chained'); return undefined; }
  const s = c.settings;
  const now = c.now ?? Date.now;
  const ev = openEvidence(c.store, s.dataDir, { now });
  if (ev.keyCreated) c.log(`evidence: generated node key ${ev.key.fingerprint} (publish this fingerprint)`);
  // First records of the run, before the clock's: what an unclean stop of the previous run lost.
  const run = await recordUncleanShutdowns(c.store, () => ev.table.head(), { now, pid: process.pid, log: c.log });
  const clock = new ClockMonitor({
    record: (st) => ev.log.append([st]), probe: () => probeClock(), now, warn: c.log,
    measure: (signal) => querySntp({ host: s.ntpServer, timeoutMs: 3000, signal }),
  }, { mode: s.mode, intervalMs: s.clockCheckIntervalS * 1000, ntpMaxOffsetMs: s.ntpMaxOffsetMs });
  const checkpointer = new Checkpointer({ log: ev.log, now, onError: (e) => c.log(`evidence checkpoint failed: ${e.message}`) },
    { everyRecords: s.checkpointEvery, intervalMs: s.checkpointIntervalS * 1000 });
  await clock.start();
  checkpointer.start();
  return {
    fingerprint: ev.key.fingerprint,
    async stop() {
      await clock.stop();
      checkpointer.stop();
      run.markStopped();
      ev.detach();
    },
  };
}

import type { Settings } from '../config/settings.ts';
import type { EvidenceLogSource } from './log-store.ts';
import { Checkpointer, type CheckpointerInit } from './checkpointer.ts';
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
 * Every store has the log (store/store.ts): observations are never written unchained.
 */
/** Whatever signs the node's checkpoints: started after the log is open, stopped after the last write. */
export interface CheckpointSigner { stop(): Promise<void> }

export async function startNodeEvidence(
  c: {
    store: EvidenceLogSource; settings: Settings; log: (m: string) => void; now?: () => number;
    /**
     * Starts the checkpoints elsewhere (the writer thread starts a checkpoint thread, so that the audit
     * never runs where observations are written); resolves once the start checkpoint is signed.
     * Default: a Checkpointer on this thread.
     */
    checkpoints?: (init: CheckpointerInit) => Promise<CheckpointSigner>;
  },
): Promise<NodeEvidence> {
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
  const init: CheckpointerInit = { everyRecords: s.checkpointEvery, intervalMs: s.checkpointIntervalS * 1000 };
  await clock.start();
  const checkpointer: CheckpointSigner = c.checkpoints ? await c.checkpoints(init) : inline(new Checkpointer({ log: ev.log, now, onError: (e) => c.log(`evidence checkpoint failed: ${e.message}`) }, init));
  return {
    fingerprint: ev.key.fingerprint,
    async stop() {
      await clock.stop();
      await checkpointer.stop();
      run.markStopped();
      ev.detach();
    },
  };
}

function inline(cp: Checkpointer): CheckpointSigner {
  cp.start();
  return { stop: async () => cp.stop() };
}

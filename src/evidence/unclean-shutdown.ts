import type { Observation, SessionProgressObservation, UncleanShutdownObservation } from '../domain/observation.ts';
import { RunMarkersTable } from '../store/sqlite/run-markers.ts';
import type { SqliteStore } from '../store/sqlite/sqlite-store.ts';

export interface RunJournal {
  /** What the start recorded about earlier runs that did not stop cleanly. */
  readonly recovered: readonly UncleanShutdownObservation[];
  /** Marks this run stopped and stops tracking open sessions; call only after every observation has been written. */
  markStopped(): void;
}

/**
 * Makes a lost run visible (issue 17, item 5). Call once the node holds its data directory lock and
 * its ports, with the evidence log attached and before anything else is written:
 * 1. every earlier run never marked stopped ended uncleanly (kill -9, crash, power loss). For each,
 *    an unclean-shutdown record names the log's last record (seq and hash) and how many sessions were
 *    open, followed by an `interrupted` session-progress record per open session, carrying the
 *    counters of its last progress record and the union of the ranges all its records name. They are chained like every record, in one batch.
 * 2. this run is entered in run_markers, and from now on every batch the store writes keeps
 *    open_sessions in step (an append hook, inside the batch's transaction); markStopped() closes
 *    the run after a clean stop.
 * The statements and the old runs' bookkeeping commit together: a crash in between cannot lose
 * the statement nor repeat it.
 */
export async function recordUncleanShutdowns(
  store: SqliteStore, head: () => { seq: number; hash: Buffer } | undefined, c: { now: () => number; pid: number; log: (m: string) => void },
): Promise<RunJournal> {
  const runs = new RunMarkersTable(store.database);
  // From here on every batch the store writes keeps open_sessions in step, inside its transaction.
  const untrack = store.addAppendHook((rows) => { runs.track(rows); });
  try {
    const recovered = await recover(store, runs, head, c);
    const id = store.transaction(() => runs.begin(c.now(), c.pid));
    return { recovered, markStopped: () => { untrack(); runs.markStopped(id, c.now()); } };
  } catch (e) { untrack(); throw e; }
}

async function recover(store: SqliteStore, runs: RunMarkersTable, head: () => { seq: number; hash: Buffer } | undefined, c: { now: () => number; log: (m: string) => void }): Promise<UncleanShutdownObservation[]> {
  const unfinished = runs.unfinished();
  if (unfinished.length === 0) return [];
  const h = head();
  const at = c.now();
  const recovered: UncleanShutdownObservation[] = [];
  const batch: Observation[] = [];
  for (const [i, run] of unfinished.entries()) {
    const upTo = unfinished[i + 1]?.progressFromId ?? Number.MAX_SAFE_INTEGER;
    const open = runs.openSessions(run.progressFromId, upTo);
    const u: UncleanShutdownObservation = {
      kind: 'unclean-shutdown', at, lastHash: h ? h.hash.toString('hex') : null, lastSeq: h ? h.seq : null,
      openSessions: open.length, runPid: run.pid, runStartedAt: run.startedAt,
    };
    recovered.push(u);
    batch.push(u, ...open.map((p): SessionProgressObservation => ({ ...p, at, phase: 'interrupted', newRanges: runs.rangesOf(p.sessionId) })));
    c.log(`evidence: the run started ${new Date(run.startedAt).toISOString()} (pid ${run.pid}) did not stop cleanly; last record #${u.lastSeq ?? 'none'}, ${open.length} sessions were open; recorded`);
  }
  // The statements, the sessions leaving open_sessions and the runs marked recovered: one transaction.
  const mark = store.addAppendHook(() => { for (const run of unfinished) runs.markRecovered(run.id, at); });
  try { await store.appendObservations(batch); } finally { mark(); }
  return recovered;
}

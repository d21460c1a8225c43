import { packageVersion } from '../exports/tool-info.ts';
import type { EvidenceStore } from '../store/evidence-store.ts';
import { EvidenceLogTable } from '../store/sqlite/evidence-log.ts';
import { insertNodeRun, listNodeRuns, type NodeRunRow } from '../store/sqlite/node-runs.ts';
import { SqliteStore } from '../store/sqlite/sqlite-store.ts';

/**
 * Records, once the node is up, what it presents to the network (its settings, the address and
 * port it listens on, its tracker URLs, its peer id) and where in the evidence log its records
 * begin, so an export's tool.json describes the node that recorded the deliveries (issue 15,
 * item 10). Stores without the SQLite evidence log keep no runs, as they keep no chain.
 */
export function recordNodeRun(store: EvidenceStore, settings: object, presented: object, now: number = Date.now()): void {
  if (!(store instanceof SqliteStore)) return;
  insertNodeRun(store.database, {
    startedAt: now, firstSeq: new EvidenceLogTable(store.database).count(), toolVersion: packageVersion(), runtime: `node ${process.version}`,
    settings: JSON.stringify(settings), presented: JSON.stringify(presented),
  });
}

/** Every recorded run of this store's node, oldest first (none for stores without the SQLite evidence log). */
export function nodeRunsOf(store: EvidenceStore): NodeRunRow[] {
  return store instanceof SqliteStore ? listNodeRuns(store.database) : [];
}

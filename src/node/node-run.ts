import { packageVersion } from '../exports/tool-info.ts';
import type { NodeRunRow } from '../store/node-runs.ts';
import type { Store } from '../store/store.ts';

/**
 * Records, once the node is up, what it presents to the network (its settings, the address and
 * port it listens on, its tracker URLs, its peer id) and where in the evidence log its records
 * begin, so an export's tool.json describes the node that recorded the deliveries (issue 15,
 * item 10). Every store keeps runs (store/store.ts), as every store keeps the chain.
 */
export function recordNodeRun(store: Store, settings: object, presented: object, now: number = Date.now()): void {
  store.nodeRuns.insert({
    startedAt: now, firstSeq: store.evidenceLog().tables.count(), toolVersion: packageVersion(), runtime: `node ${process.version}`,
    settings: JSON.stringify(settings), presented: JSON.stringify(presented),
  });
}

/** Every recorded run of this store's node, oldest first. */
export function nodeRunsOf(store: Store): NodeRunRow[] {
  return store.nodeRuns.list();
}

import type { EvidenceLogTables } from '../store/evidence-log.ts';
import type { Store } from '../store/store.ts';
import { EvidenceError } from './errors.ts';
import { EvidenceLog } from './evidence-log.ts';
import { ChainHasher } from './chain/chain-hasher.ts';
import { loadNodeKey, loadOrCreateNodeKey, type NodeKey } from './keys.ts';

export interface OpenedEvidence {
  readonly log: EvidenceLog;
  readonly table: EvidenceLogTables;
  readonly key: NodeKey;
  /** The key was generated just now (first use of this data directory). */
  readonly keyCreated: boolean;
  /** Hashes the chain: large batches on a worker thread (src/evidence/chain/). */
  readonly hasher: ChainHasher;
  /** Stops chaining observations the store appends (and stops the hasher's worker). */
  detach(): void;
}

/**
 * Opens the evidence log of a data directory and hooks it into the store's append transaction,
 * so every observation written from now on is chained. The key is generated on first use.
 */
export function openEvidence(store: Store, dataDir: string, opts: { now?: () => number; create?: boolean; log?: (m: string) => void } = {}): OpenedEvidence {
  let key: NodeKey;
  let keyCreated = false;
  if (opts.create === false) {
    const k = loadNodeKey(dataDir);
    if (!k) throw new EvidenceError(`no node key in ${dataDir}/keys (run: counterseed init)`);
    key = k;
  } else {
    ({ key, created: keyCreated } = loadOrCreateNodeKey(dataDir));
  }
  const backend = store.evidenceLog();
  const table = backend.tables;
  // Batches of 1,024 rows or more are hashed on a worker thread while their rows are inserted; smaller ones inline.
  // A 5,000-row batch takes the worker ~25 ms; a worker that has not answered in 5 s is given up (the
  // main thread is blocked meanwhile) and chaining goes on in the main thread, with nothing lost.
  const hasher = new ChainHasher({
    timeoutMs: 5000,
    onWorkerFailure: (e) => opts.log?.(`evidence: the chain worker failed (${e.message}); chaining continues in the main thread`),
  });
  const log = new EvidenceLog({ table, key, hasher, transaction: (fn) => backend.transaction(fn), now: opts.now ?? Date.now });
  const unhook = backend.addAppendHook((_batch, rows) => log.beginAppend(rows));
  return { log, table, key, keyCreated, hasher, detach: () => { unhook(); void hasher.close(); } };
}

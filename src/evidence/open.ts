import type { EvidenceLogSource, EvidenceLogTables } from './log-store.ts';
import { EvidenceError } from './errors.ts';
import { EvidenceLog } from './evidence-log.ts';
import { CheckpointLog } from './checkpoint-log.ts';
import { join } from 'node:path';
import { loadNodeKey, loadOrCreateNodeKey, type NodeKey } from './keys.ts';

/** Every signed checkpoint, one line each, outside the database (checkpoint-log.ts). */
export const CHECKPOINT_LOG_FILE = 'checkpoints.ndjson';

export interface OpenedEvidence {
  readonly log: EvidenceLog;
  readonly table: EvidenceLogTables;
  readonly key: NodeKey;
  /** The key was generated just now (first use of this data directory). */
  readonly keyCreated: boolean;
  /** The append-only checkpoint log file in the data directory (CHECKPOINT_LOG_FILE). */
  readonly published: CheckpointLog;
  /** Stops chaining observations the store appends. */
  detach(): void;
}

/**
 * Opens the evidence log of a data directory and hooks it into the store's append transaction,
 * so every observation written from now on is chained. The key is generated on first use.
 */
export function openEvidence(store: EvidenceLogSource, dataDir: string, opts: { now?: () => number; create?: boolean; log?: (m: string) => void } = {}): OpenedEvidence {
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
  const published = new CheckpointLog(join(dataDir, CHECKPOINT_LOG_FILE));
  const log = new EvidenceLog({ table, key, transaction: (fn) => backend.transaction(fn), now: opts.now ?? Date.now, published, ...(backend.snapshot ? { snapshot: backend.snapshot } : {}) });
  const unhook = backend.addAppendHook((rows) => log.chain(rows));
  return { log, table, key, keyCreated, published, detach: unhook };
}

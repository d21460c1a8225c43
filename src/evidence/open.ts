import type { EvidenceStore } from '../store/evidence-store.ts';
import { EvidenceLogTable } from '../store/sqlite/evidence-log.ts';
import { SqliteStore } from '../store/sqlite/sqlite-store.ts';
import { EvidenceError } from './errors.ts';
import { EvidenceLog } from './evidence-log.ts';
import { CheckpointLog } from './checkpoint-log.ts';
import { join } from 'node:path';
import { loadNodeKey, loadOrCreateNodeKey, type NodeKey } from './keys.ts';

/** Every signed checkpoint, one line each, outside the database (checkpoint-log.ts). */
export const CHECKPOINT_LOG_FILE = 'checkpoints.ndjson';

export interface OpenedEvidence {
  readonly log: EvidenceLog;
  readonly table: EvidenceLogTable;
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
export function openEvidence(store: EvidenceStore, dataDir: string, opts: { now?: () => number; create?: boolean } = {}): OpenedEvidence {
  if (!(store instanceof SqliteStore)) throw new EvidenceError('the tamper-evident log needs the SQLite store');
  let key: NodeKey;
  let keyCreated = false;
  if (opts.create === false) {
    const k = loadNodeKey(dataDir);
    if (!k) throw new EvidenceError(`no node key in ${dataDir}/keys (run: counterseed init)`);
    key = k;
  } else {
    ({ key, created: keyCreated } = loadOrCreateNodeKey(dataDir));
  }
  const table = new EvidenceLogTable(store.database);
  const published = new CheckpointLog(join(dataDir, CHECKPOINT_LOG_FILE));
  const log = new EvidenceLog({ table, key, transaction: (fn) => store.transaction(fn), now: opts.now ?? Date.now, published });
  const unhook = store.addAppendHook((rows) => log.chain(rows));
  return { log, table, key, keyCreated, published, detach: unhook };
}

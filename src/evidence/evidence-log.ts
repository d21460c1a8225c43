import type { EvidenceLogTable } from '../store/sqlite/evidence-log.ts';
import type { NodeKey } from './keys.ts';
import { CHECKPOINT_TYPE, signCheckpoint, type SignedCheckpoint } from './checkpoint.ts';
import { EvidenceError } from './errors.ts';
import { emptyFrontier, frontierAppend, frontierFromBytes, frontierRoot, frontierToBytes } from './merkle.ts';
import { encodeRecord, GENESIS_PREV, type Recordable } from './record.ts';

export interface EvidenceLogComponents {
  readonly table: EvidenceLogTable;
  readonly key: NodeKey;
  /** Runs fn in one write transaction (SqliteStore.transaction). */
  readonly transaction: <T>(fn: () => T) => T;
  readonly now: () => number;
}

export type CheckpointReason = 'periodic' | 'shutdown' | 'export' | 'manual' | 'start';

/**
 * The per-node hash chain and its signed checkpoints. appendInTransaction() runs inside the
 * observation insert transaction; it reads the head from the database each time, so a rolled-back
 * batch or a second process writing the same database can never fork the chain.
 */
export class EvidenceLog {
  readonly #c: EvidenceLogComponents;
  #appended = 0;

  constructor(c: EvidenceLogComponents) {
    this.#c = c;
    const head = c.table.head();
    if (head) {
      const node = (JSON.parse(head.text) as { node?: unknown }).node;
      if (node !== c.key.fingerprint) {
        throw new EvidenceError(`the evidence log was written by node ${String(node)}, but this data directory's key is ${c.key.fingerprint}; restore the original key`);
      }
    }
  }

  get node(): string { return this.#c.key.fingerprint; }
  /** Records appended through this instance (for checkpoint scheduling). */
  get appended(): number { return this.#appended; }

  /** Chains `batch`; call inside a write transaction (the store's append hook). */
  appendInTransaction(batch: readonly Recordable[]): void {
    const { table } = this.#c;
    const head = table.head();
    let seq = head ? head.seq + 1 : 0;
    let prev = head ? head.hash.toString('hex') : GENESIS_PREV;
    for (const o of batch) {
      const r = encodeRecord(o, seq, prev, this.node);
      table.insert(r);
      prev = r.hash.toString('hex');
      seq++;
    }
    this.#appended += batch.length;
  }

  /** Chains the node's own statements (clock records) in a transaction of their own. */
  append(batch: readonly Recordable[]): void {
    this.#c.transaction(() => this.appendInTransaction(batch));
  }

  /**
   * Signs a tree head over every record so far. Extends the last checkpoint's frontier with the
   * records added since, so the cost is proportional to new records, not to the whole log.
   * Returns the latest checkpoint unchanged when nothing was added (unless `force`).
   */
  checkpoint(reason: CheckpointReason, opts: { force?: boolean } = {}): SignedCheckpoint & { treeSize: number } {
    const { table, key, now } = this.#c;
    return this.#c.transaction(() => {
      const last = table.latestCheckpoint();
      const head = table.head();
      const size = head ? head.seq + 1 : 0;
      if (last && last.treeSize === size && !opts.force) {
        return { ...parseStored(last.text, last.signature), treeSize: last.treeSize };
      }
      const f = last ? frontierFromBytes(last.treeSize, last.frontier) : emptyFrontier();
      if (f.size > size) throw new EvidenceError(`checkpoint covers ${f.size} records but the log holds ${size}: records were deleted`);
      for (const h of table.hashes(f.size, size)) frontierAppend(f, h);
      if (f.size !== size) throw new EvidenceError(`log has gaps: expected ${size} records, read ${f.size}`);
      const signed = signCheckpoint({
        type: CHECKPOINT_TYPE, node: key.fingerprint, tree_size: size, root: frontierRoot(f).toString('hex'),
        head: head ? head.hash.toString('hex') : GENESIS_PREV, at: now(),
      }, key.privateKey);
      table.insertCheckpoint({ treeSize: size, at: signed.body.at, reason, text: signed.text, signature: Buffer.from(signed.signature, 'base64'), frontier: frontierToBytes(f) });
      return { ...signed, treeSize: size };
    });
  }
}

function parseStored(text: string, signature: Buffer): SignedCheckpoint {
  return { body: JSON.parse(text) as SignedCheckpoint['body'], text, signature: signature.toString('base64') };
}

import type { EvidenceLogTable } from '../store/sqlite/evidence-log.ts';
import type { NodeKey } from './keys.ts';
import { CHECKPOINT_TYPE, signCheckpoint, type SignedCheckpoint } from './checkpoint.ts';
import { EvidenceError } from './errors.ts';
import { FrontierStack } from './chain/frontier-stack.ts';
import { emptyFrontier, frontierFromBytes, frontierRoot, frontierToBytes, HASH_LEN, type Frontier } from './merkle.ts';
import type { WrittenRow } from '../store/sqlite/record-tables/row-writer.ts';
import { chainRecords } from './chain/chain-records.ts';
import { GENESIS_PREV, isHex64, type ClockStatement } from './record.ts';

export interface EvidenceLogComponents {
  readonly table: EvidenceLogTable;
  readonly key: NodeKey;
  /** Runs fn in one write transaction (SqliteStore.transaction). */
  readonly transaction: <T>(fn: () => T) => T;
  readonly now: () => number;
}

export type CheckpointReason = 'periodic' | 'shutdown' | 'export' | 'manual' | 'start';

/**
 * The per-node hash chain and its signed checkpoints. beginAppend() runs inside the
 * observation insert transaction; it reads the head from the database each time, so a rolled-back
 * batch or a second process writing the same database can never fork the chain.
 */
export class EvidenceLog {
  readonly #c: EvidenceLogComponents;
  #appended = 0;
  /**
   * The Merkle frontier over every record, kept as records are chained, so a checkpoint costs
   * O(log n) instead of re-reading the records since the last one. `head` is the last leaf hash:
   * it commits to the whole chain, so frontier and database agree exactly when size and head do
   * (a rolled-back batch leaves them disagreeing, and the frontier is rebuilt from the database).
   */
  #live: { frontier: Frontier; head: Buffer | undefined } | undefined;

  constructor(c: EvidenceLogComponents) {
    this.#c = c;
    if (!isHex64(c.key.fingerprint)) throw new EvidenceError(`bad node key fingerprint ${c.key.fingerprint}`);
    const node = c.table.node();
    if (node === undefined) c.transaction(() => c.table.setNode(c.key.fingerprint));
    else if (node !== c.key.fingerprint) {
      throw new EvidenceError(`the evidence log was written by node ${node}, but this data directory's key is ${c.key.fingerprint}; restore the original key`);
    }
  }

  get node(): string { return this.#c.key.fingerprint; }
  /** Records appended through this instance (for checkpoint scheduling). */
  get appended(): number { return this.#appended; }

  /**
   * Chains rows just inserted, inside their write transaction (the store's append hook): the records
   * are made from the values as stored (so each can be re-derived from its row), hashed one after the
   * other onto the head read from the database, and linked to their rows before the transaction
   * commits. A throw rolls the rows back with their links.
   */
  chain(written: readonly WrittenRow[]): void {
    const { table } = this.#c;
    const head = table.head();
    const seq = head ? head.seq + 1 : 0;
    const prev = head ? head.hash.toString('hex') : GENESIS_PREV;
    // chainRecords returns a new frontier: if this transaction rolls back, the kept one still describes the database.
    const { hashes, frontier } = chainRecords({ node: this.node, seq, prev, frontier: this.#frontierAt(seq, head?.hash), rows: written });
    table.insertRuns(seq, written, hashes);
    if (written.length > 0) this.#live = { frontier, head: Buffer.from(hashes.subarray(hashes.length - HASH_LEN)) };
    this.#appended += written.length;
  }

  /** The frontier over [0, size) whose last leaf is `head`: the kept one when it matches, else rebuilt from the database. */
  #frontierAt(size: number, head: Buffer | undefined): Frontier {
    const live = this.#live;
    if (live && live.frontier.size === size && (size === 0 || (live.head !== undefined && head !== undefined && live.head.equals(head)))) return live.frontier;
    const { table } = this.#c;
    const last = table.latestCheckpoint();
    const s = new FrontierStack();
    s.load(last ? frontierFromBytes(last.treeSize, last.frontier) : emptyFrontier());
    if (s.size > size) throw new EvidenceError(`checkpoint covers ${s.size} records but the log holds ${size}: records were deleted`);
    for (const h of table.hashes(s.size, size)) s.append(h, 0);
    if (s.size !== size) throw new EvidenceError(`log has gaps: expected ${size} records, read ${s.size}`);
    const f = s.frontier();
    this.#live = { frontier: f, head };
    return f;
  }

  /** Writes and chains the node's own statements (clock records) in a transaction of their own. */
  append(batch: readonly ClockStatement[]): void {
    const { table, transaction } = this.#c;
    transaction(() => table.writeRows(batch, (rows) => this.chain(rows)));
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
      // Records since the last checkpoint must all be there (older ones are checked against it at export).
      const since = last ? last.treeSize : 0;
      if (since > size) throw new EvidenceError(`checkpoint covers ${since} records but the log holds ${size}: records were deleted`);
      const found = table.countFrom(since);
      if (found !== size - since) throw new EvidenceError(`log has gaps: expected ${size - since} records since the last checkpoint, found ${found}`);
      const f = this.#frontierAt(size, head?.hash);
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

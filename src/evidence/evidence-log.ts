import type { EvidenceLogTables, WrittenRow } from './log-store.ts';
import type { NodeKey } from './keys.ts';
import { CHECKPOINT_TYPE, signCheckpoint, type CheckpointBody, type SignedCheckpoint } from './checkpoint.ts';
import { audit, type AuditedIndex } from './audit.ts';
import type { CheckpointLog } from './checkpoint-log.ts';
import { EvidenceError } from './errors.ts';
import { FrontierStack } from './chain/frontier-stack.ts';
import { emptyFrontier, frontierFromBytes, frontierRoot, frontierToBytes, HASH_LEN, type Frontier } from './merkle.ts';
import { chainRecords } from './chain/chain-records.ts';
import { GENESIS_PREV, isHex64, type ClockStatement } from './record.ts';

export interface EvidenceLogComponents {
  readonly table: EvidenceLogTables;
  readonly key: NodeKey;
  /** Runs fn in one write transaction (SqliteStore.transaction). */
  readonly transaction: <T>(fn: () => T) => T;
  readonly now: () => number;
  /** The append-only checkpoint log outside the database (checkpoint-log.ts); none in tests of the chain alone. */
  readonly published?: CheckpointLog;
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
  /** The key index's leaf hashes as this instance last signed them (audit.ts: only touched keys are rehashed). */
  #index: AuditedIndex | undefined;

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
   * Signs a tree head over every record so far, after the audit (audit.ts): the log must still hold
   * what was published (the checkpoint log file) and what the last checkpoint signed, the chain's
   * runs every record up to the head, the records since the last checkpoint must re-derive from
   * their rows, and the key index is extended with them and signed (counterseed-checkpoint/v3).
   * Every checkpoint is audited, the node's own (`periodic`, `start`, `shutdown`) as well as those
   * an export or an operator asks for; the latter also count every table's rows against the chain
   * (a row deleted long before the last checkpoint), which reads every record table and so grows
   * with the log: the node's own count the records only, and check the rows of the new ones.
   *
   * Returns the latest checkpoint unchanged when nothing was added (unless `force`); every new one
   * is appended to the checkpoint log file.
   */
  checkpoint(reason: CheckpointReason, opts: { force?: boolean } = {}): SignedCheckpoint & { treeSize: number } {
    const { table, key, now } = this.#c;
    const allRows = reason === 'export' || reason === 'manual';
    const kept = this.#index;
    this.#index = undefined; // kept again only once this checkpoint is committed
    const r = this.#c.transaction(() => {
      const last = table.latestCheckpoint();
      const lastBody = last ? JSON.parse(last.text) as CheckpointBody : undefined;
      const head = table.head();
      const size = head ? head.seq + 1 : 0;
      this.#checkAnchors(size, last && lastBody ? { ...last, body: lastBody } : undefined);
      if (last && last.treeSize === size && lastBody?.type === CHECKPOINT_TYPE && !opts.force) {
        table.checkRows(size, { rows: allRows });
        return { cp: { ...parseStored(last.text, last.signature), treeSize: last.treeSize }, fresh: false, index: kept };
      }
      const audited = table.latestIndexedCheckpoint();
      const body = audited ? JSON.parse(audited.text) as CheckpointBody : undefined;
      // An index signed in a v2 checkpoint has no time keys: it is rebuilt from record 0.
      const current = body?.type === CHECKPOINT_TYPE && body.index !== undefined && body.index_size !== undefined ? { root: body.index, size: body.index_size } : undefined;
      const index = audit(table, current ? audited!.treeSize : 0, size, current, { rows: allRows, ...(kept ? { kept } : {}) });
      const f = this.#frontierAt(size, head?.hash);
      const signed = signCheckpoint({
        type: CHECKPOINT_TYPE, node: key.fingerprint, tree_size: size, root: frontierRoot(f).toString('hex'),
        head: head ? head.hash.toString('hex') : GENESIS_PREV, at: now(), index: index.head.root, index_size: index.head.size,
      }, key.privateKey);
      table.insertCheckpoint({ treeSize: size, at: signed.body.at, reason, text: signed.text, signature: Buffer.from(signed.signature, 'base64'), frontier: frontierToBytes(f) });
      return { cp: { ...signed, treeSize: size }, fresh: true, index };
    });
    this.#index = r.index;
    if (r.fresh && this.#c.published) {
      try { this.#c.published.append(r.cp); } catch (e) {
        throw new EvidenceError(`checkpoint of ${r.cp.treeSize} records signed and stored, but not appended to ${this.#c.published.path}: ${(e as Error).message}`);
      }
    }
    return r.cp;
  }

  /**
   * The log must still hold what was signed and published: the newest line of the checkpoint log
   * file names a tree whose checkpoint row and last record the database must still have (the tail
   * of the chain cut off together with the newest checkpoint row is caught here), and the newest
   * checkpoint row's frontier and head must be the ones it signed.
   */
  #checkAnchors(size: number, last: { treeSize: number; frontier: Buffer; body: CheckpointBody } | undefined): void {
    const { table } = this.#c;
    const headAt = (n: number) => { const [h] = [...table.hashes(n - 1, n)]; return h!.toString('hex'); };
    const p = this.#c.published?.last();
    if (p) {
      const m = p.body.tree_size;
      const when = new Date(p.body.at).toISOString();
      if (m > size) throw new EvidenceError(`the checkpoint published at ${when} covers ${m} records but the log holds ${size}: records ${size}..${m - 1} were deleted`);
      const stored = table.checkpointsAt(m).find((c) => c.text === p.text);
      if (!stored) throw new EvidenceError(`the checkpoint published at ${when} (tree of ${m} records) is not in the database: the log was rewritten or its checkpoints deleted`);
      if (m > 0 && headAt(m) !== p.body.head) throw new EvidenceError(`record ${m - 1} is not the one the checkpoint published at ${when} signed: the log was rewritten`);
    }
    if (last) {
      if (last.treeSize > size) throw new EvidenceError(`checkpoint covers ${last.treeSize} records but the log holds ${size}: records were deleted`);
      if (frontierRoot(frontierFromBytes(last.treeSize, last.frontier)).toString('hex') !== last.body.root) throw new EvidenceError('the newest checkpoint row\'s frontier does not match its signed root: it was edited');
      if (last.treeSize > 0 && headAt(last.treeSize) !== last.body.head) throw new EvidenceError(`record ${last.treeSize - 1} is not the one the newest checkpoint signed: the log was rewritten`);
    }
  }
}

function parseStored(text: string, signature: Buffer): SignedCheckpoint {
  return { body: JSON.parse(text) as SignedCheckpoint['body'], text, signature: signature.toString('base64') };
}

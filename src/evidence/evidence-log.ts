import type { EvidenceLogBackend, EvidenceLogTables, WrittenRow } from './log-store.ts';
import type { NodeKey } from './keys.ts';
import { CHECKPOINT_TYPE, signCheckpoint, type CheckpointBody, type SignedCheckpoint } from './checkpoint.ts';
import { audit as auditRecords, type Audit, type AuditedIndex } from './audit.ts';
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
  /**
   * The same log read through a read-only connection of its own, where `read` runs a read
   * transaction (SQLite WAL: one snapshot, no lock on the writer). Audits read there; without it
   * they run inside the checkpoint's write transaction.
   */
  readonly snapshot?: EvidenceLogSnapshot;
}

/** A read-only view of the evidence log (EvidenceLogComponents.snapshot). */
export type EvidenceLogSnapshot = NonNullable<EvidenceLogBackend['snapshot']>;

/**
 * Records one checkpoint audits at most when it reads a snapshot: the index rows it writes are held
 * in memory until its write transaction (24 bytes per key of a record). A node that fell behind
 * signs several checkpoints in a row.
 */
const AUDIT_STEP = 100_000;
/** Snapshot audits that another process's checkpoint may overtake before checkpoint() gives up. */
const MAX_RACES = 3;

/** An audit's outcome, to be signed in the write transaction if `basis` is still the newest checkpoint row. */
type Plan =
  | { readonly kind: 'unchanged'; readonly basis: number; readonly headSize: number; readonly cp: SignedCheckpoint & { treeSize: number } }
  | { readonly kind: 'audited'; readonly basis: number | undefined; readonly headSize: number; readonly size: number; readonly head: string; readonly frontier: Frontier; readonly audit: Audit }
  | { readonly kind: 'rebuild' };

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
  /** Records appended through this instance. */
  get appended(): number { return this.#appended; }
  /** Records in the log, by whichever connection or process wrote them (for checkpoint scheduling). */
  get records(): number { const h = this.#c.table.head(); return h ? h.seq + 1 : 0; }

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
    const { hashes, frontier } = chainRecords({ node: this.node, seq, prev, frontier: this.#frontierAt(table, seq, head?.hash), rows: written });
    table.insertRuns(seq, written, hashes);
    if (written.length > 0) this.#live = { frontier, head: Buffer.from(hashes.subarray(hashes.length - HASH_LEN)) };
    this.#appended += written.length;
  }

  /**
   * The frontier over [0, size) whose last leaf is `head`: the kept one when it matches, else rebuilt
   * from the last checkpoint's and the hashes since, read from `table` (kept when that is the log's own).
   */
  #frontierAt(table: EvidenceLogTables, size: number, head: Buffer | undefined): Frontier {
    const live = this.#live;
    if (live && live.frontier.size === size && (size === 0 || (live.head !== undefined && head !== undefined && live.head.equals(head)))) return live.frontier;
    const last = table.latestCheckpoint();
    const s = new FrontierStack();
    s.load(last ? frontierFromBytes(last.treeSize, last.frontier) : emptyFrontier());
    if (s.size > size) throw new EvidenceError(`checkpoint covers ${s.size} records but the log holds ${size}: records were deleted`);
    for (const h of table.hashes(s.size, size)) s.append(h, 0);
    if (s.size !== size) throw new EvidenceError(`log has gaps: expected ${size} records, read ${s.size}`);
    const f = s.frontier();
    if (table === this.#c.table) this.#live = { frontier: f, head };
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
   * their rows, and the key index is extended with them and signed (counterseed-checkpoint/v4).
   * Every checkpoint is audited, the node's own (`periodic`, `start`, `shutdown`) as well as those
   * an export or an operator asks for; the latter also count every table's rows against the chain
   * (a row deleted long before the last checkpoint), which reads every record table and so grows
   * with the log: the node's own count the records only, and check the rows of the new ones.
   *
   * With a `snapshot` (a read-only connection), the audit reads there, holding no write lock, and
   * only its outcome (index rows, checkpoint row) is written in a short write transaction: the
   * node's writer keeps ingesting meanwhile (issue 16 target: chained ingest >= 50,000/s). A
   * checkpoint then covers what the snapshot held, at most AUDIT_STEP records past the last one;
   * it is repeated until it covers the head that the first step saw.
   *
   * Returns the latest checkpoint unchanged when nothing was added (unless `force`); every new one
   * is appended to the checkpoint log file.
   */
  checkpoint(reason: CheckpointReason, opts: { force?: boolean } = {}): SignedCheckpoint & { treeSize: number } {
    let force = opts.force === true;
    let target: number | undefined;
    for (let step = 0; ; step++) {
      const r = this.#step(reason, force);
      if (r === 'raced') {
        // Another process signed between the snapshot and the write: audit again from its checkpoint.
        if (step >= MAX_RACES) throw new EvidenceError(`no checkpoint after ${MAX_RACES} attempts: other processes kept signing`);
        continue;
      }
      target ??= r.headSize;
      force = false;
      if (r.cp.treeSize >= target) return r.cp;
    }
  }

  /** One audited checkpoint (see checkpoint()); 'raced' when another process signed meanwhile. */
  #step(reason: CheckpointReason, force: boolean): { cp: SignedCheckpoint & { treeSize: number }; headSize: number } | 'raced' {
    const kept = this.#index;
    this.#index = undefined; // kept again only once this checkpoint is committed
    const snap = this.#c.snapshot;
    const planned = snap ? snap.read(() => this.#audit(snap.table, reason, force, kept, false)) : undefined;
    const r = this.#c.transaction(() => {
      const p = planned === undefined || planned.kind === 'rebuild' ? this.#audit(this.#c.table, reason, force, kept, true) : planned;
      if (p.kind === 'rebuild') throw new Error('unreachable: a rebuild is audited in the write transaction');
      if (this.#c.table.latestCheckpoint()?.id !== p.basis) return 'raced' as const;
      if (p.kind === 'unchanged') return { cp: p.cp, headSize: p.headSize, fresh: false, index: kept };
      p.audit.writes.apply(this.#c.table.index);
      const signed = signCheckpoint({
        type: CHECKPOINT_TYPE, node: this.#c.key.fingerprint, tree_size: p.size, root: frontierRoot(p.frontier).toString('hex'),
        head: p.head, at: this.#c.now(), index: p.audit.index.head.root, index_size: p.audit.index.head.size,
      }, this.#c.key.privateKey);
      this.#c.table.insertCheckpoint({ treeSize: p.size, at: signed.body.at, reason, text: signed.text, signature: Buffer.from(signed.signature, 'base64'), frontier: frontierToBytes(p.frontier) });
      return { cp: { ...signed, treeSize: p.size }, headSize: p.headSize, fresh: true, index: p.audit.index };
    });
    if (r === 'raced') return r;
    this.#index = r.index;
    if (r.fresh && this.#c.published) {
      try { this.#c.published.append(r.cp); } catch (e) {
        throw new EvidenceError(`checkpoint of ${r.cp.treeSize} records signed and stored, but not appended to ${this.#c.published.path}: ${(e as Error).message}`);
      }
    }
    return r;
  }

  /**
   * The audit of one checkpoint, reading `t` only. `inTx`: inside the write transaction (the
   * index rows are written as they come); outside it, on a snapshot, a rebuild of the whole index is
   * left to the write transaction ('rebuild'), and at most AUDIT_STEP records are audited.
   * `basis` is the newest checkpoint row the audit started from: the write transaction signs only
   * if it is still the newest.
   */
  #audit(t: EvidenceLogTables, reason: CheckpointReason, force: boolean, kept: AuditedIndex | undefined, inTx: boolean): Plan {
    const allRows = reason === 'export' || reason === 'manual';
    const last = t.latestCheckpoint();
    const lastBody = last ? JSON.parse(last.text) as CheckpointBody : undefined;
    const head = t.head();
    const headSize = head ? head.seq + 1 : 0;
    this.#checkAnchors(t, headSize, last && lastBody ? { ...last, body: lastBody } : undefined);
    if (last && last.treeSize === headSize && lastBody?.type === CHECKPOINT_TYPE && !force) {
      t.checkRows(headSize, { rows: allRows });
      return { kind: 'unchanged', basis: last.id, headSize, cp: { ...parseStored(last.text, last.signature), treeSize: last.treeSize } };
    }
    const audited = t.latestIndexedCheckpoint();
    const body = audited ? JSON.parse(audited.text) as CheckpointBody : undefined;
    // An index signed in an older checkpoint type has other keys (v2: no time keys, v3: hour keys): it is rebuilt from record 0.
    const current = body?.type === CHECKPOINT_TYPE && body.index !== undefined && body.index_size !== undefined ? { root: body.index, size: body.index_size } : undefined;
    if (!current && !inTx) return { kind: 'rebuild' };
    const from = current ? audited!.treeSize : 0;
    const size = inTx ? headSize : Math.min(headSize, Math.max(from + AUDIT_STEP, last?.treeSize ?? 0));
    const audit = auditRecords(t, from, size, current, { rows: allRows, ...(kept ? { kept } : {}), direct: inTx });
    const headHash = size === headSize ? head?.hash : size > 0 ? [...t.hashes(size - 1, size)][0] : undefined;
    return {
      kind: 'audited', basis: last?.id, headSize, size, audit,
      head: headHash ? headHash.toString('hex') : GENESIS_PREV, frontier: this.#frontierAt(t, size, headHash),
    };
  }

  /**
   * The log must still hold what was signed and published: the newest line of the checkpoint log
   * file names a tree whose checkpoint row and last record the database must still have (the tail
   * of the chain cut off together with the newest checkpoint row is caught here), and the newest
   * checkpoint row's frontier and head must be the ones it signed.
   */
  #checkAnchors(table: EvidenceLogTables, size: number, last: { treeSize: number; frontier: Buffer; body: CheckpointBody } | undefined): void {
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

import type { EvidenceIndex, EvidenceLogTables, StoredKey } from './log-store.ts';
import { EvidenceError } from './errors.ts';
import { IndexLeaves } from './index-leaves.ts';
import { ACC_ZERO, accStep, indexLeafText, type IndexLeaf } from './key-index.ts';
import { leafHashOfText } from './merkle.ts';

/** The key index after an audit: its root and number of leaves (what the checkpoint signs). */
export interface IndexHead { readonly root: string; readonly size: number }

/**
 * What an audit leaves for the next one, kept in the memory of the process that signed `head`
 * (out of reach of an edit to the database): the index's leaf hashes, and the number of rows of
 * every record table (EvidenceLogTables.rowCounts) when it was signed.
 */
export interface AuditedIndex { readonly head: IndexHead; readonly leaves: IndexLeaves; readonly rowCounts: ReadonlyMap<string, number> }

/**
 * An audit's outcome: the new index head, and the index rows to write for it (IndexWrites.apply),
 * in the checkpoint's write transaction.
 */
export interface Audit { readonly index: AuditedIndex; readonly writes: IndexWrites }

/**
 * The audit that runs before every checkpoint (issue 17, item 1). It walks the chain, not the rows,
 * and only reads: it can run on a read-only snapshot of the database while the node keeps writing
 * (evidence-log.ts), and its index writes are applied afterwards in the checkpoint's transaction.
 *
 * 1. the chain's runs hold every record up to `to`, and every table's rows are counted against
 *    them (EvidenceLogTables.checkRows), so a row deleted anywhere, also before the last
 *    checkpoint, is refused with its record number. That reads every record table; with `rows`
 *    false and a kept state, each table's row count (SQLite counts a b-tree's pages, not its rows)
 *    must instead have grown by exactly its records since the kept state, and only a shortfall
 *    runs the full count, to name the record;
 * 2. every record in [from, to), the records added since the last checkpoint, is re-derived from its
 *    row and must hash to its link (a row gone or changed is refused with the record number);
 * 3. those records are filed in the key index, starting from the index as the last checkpoint
 *    signed it (`signed`): the leaves of the keys they touch must still be the signed ones, and
 *    only those leaves are hashed again; an index edited in the database is refused before it is
 *    signed again.
 *
 * Incremental: the last checkpoint's tree_size is the audited-up-to position and its `index` root
 * the audited per-key state, both under the node's signature, so each record is derived once.
 * `kept` is the caller's state from when it signed `signed`; without it (first checkpoint of a
 * process, or another process signed since) the leaves are read from the database and their root
 * must be the signed one, and the rows are counted in full. With no signed index (`signed`
 * undefined) the index is rebuilt from record 0: `direct` writes its rows as they come (the
 * caller is then inside its write transaction), so a rebuild of a large log holds no more than
 * FLUSH_EVERY entries in memory.
 */
export function audit(table: EvidenceLogTables, from: number, to: number, signed: IndexHead | undefined, opts: { rows: boolean; kept?: AuditedIndex; direct?: boolean }): Audit {
  const kept = opts.kept && signed && opts.kept.head.root === signed.root && opts.kept.head.size === signed.size ? opts.kept : undefined;
  const fullRowCount = opts.rows || kept === undefined;
  table.checkRows(to, { rows: fullRowCount });
  const index = table.index;
  const leaves = kept ? kept.leaves : signedLeaves(index, signed);
  const writes = new IndexWrites(index, { rebuild: signed === undefined, direct: opts.direct === true });
  const added = new Map<string, number>();
  const state = new Map<string, { slot: number; count: number; acc: Buffer }>();
  let seq = from;
  for (const r of table.range(from, to)) {
    added.set(r.kind, (added.get(r.kind) ?? 0) + 1);
    for (const key of r.keys) {
      let s = state.get(key);
      if (!s) {
        const stored = signed === undefined ? undefined : index.get(key);
        const was = leaves.hashOf(key);
        if (stored ? !was?.equals(indexLeafHash(stored)) : was !== undefined) {
          throw new EvidenceError(`the key index in the database no longer matches the root signed in the last checkpoint: the entry of ${key} was edited`);
        }
        s = { slot: writes.key(key, stored), count: stored?.count ?? 0, acc: stored?.acc ?? ACC_ZERO };
        state.set(key, s);
      }
      s.acc = accStep(s.acc, r.seq, r.at, r.hash);
      s.count++;
      writes.entry(s.slot, r.seq, r.at);
    }
    seq++;
  }
  if (seq !== to) throw new EvidenceError(`log has gaps: expected records up to ${to - 1}, the chain ends at ${seq - 1}`);
  const rowCounts = table.rowCounts();
  if (!fullRowCount) checkRowCounts(table, to, kept.rowCounts, added, rowCounts);
  const changed = new Map<string, Buffer>();
  for (const [key, s] of state) {
    writes.leaf(s.slot, s.count, s.acc);
    changed.set(key, indexLeafHash({ key, count: s.count, acc: s.acc }));
  }
  leaves.update(changed);
  return { index: { head: { root: leaves.root(), size: leaves.size }, leaves, rowCounts }, writes };
}

/** Index entries held at a time when written directly (a rebuild): memory stays bounded by the keys touched. */
const FLUSH_EVERY = 20_000;

/**
 * The index rows an audit writes: the touched keys' new leaves (count, accumulator) and one entry
 * (key, seq, at) per record per key. Held (3 numbers per entry) until apply(), in the checkpoint's
 * write transaction; in `direct` mode written as they come (keys get their ids at once).
 */
export class IndexWrites {
  /** The index read (and, direct, written). */
  readonly #index: EvidenceIndex;
  readonly #rebuild: boolean;
  readonly #direct: boolean;
  /** Per touched key: its text, its row id (undefined for a key not yet written), its new leaf. */
  readonly #keys: { key: string; id: number | undefined; count: number; acc: Buffer }[] = [];
  /** slot, seq, at for each entry not yet written. */
  #entries: number[] = [];

  constructor(index: EvidenceIndex, opts: { rebuild: boolean; direct: boolean }) {
    this.#index = index;
    this.#rebuild = opts.rebuild;
    this.#direct = opts.direct;
    if (this.#direct && this.#rebuild) index.clear();
  }

  /** A slot for a touched key (stored: its row, when the signed index has it). */
  key(key: string, stored: StoredKey | undefined): number {
    this.#keys.push({ key, id: stored?.id ?? (this.#direct ? this.#index.addKey(key) : undefined), count: 0, acc: ACC_ZERO });
    return this.#keys.length - 1;
  }

  entry(slot: number, seq: number, at: number): void {
    this.#entries.push(slot, seq, at);
    if (this.#direct && this.#entries.length >= 3 * FLUSH_EVERY) this.#flush(this.#index);
  }

  leaf(slot: number, count: number, acc: Buffer): void {
    const k = this.#keys[slot]!;
    k.count = count;
    k.acc = acc;
  }

  /**
   * Writes everything held, inside the checkpoint's write transaction, into `index`: the index of
   * the connection that writes (the audit may have read a read-only snapshot of the same tables).
   */
  apply(index: EvidenceIndex): void {
    if (this.#direct && index !== this.#index) throw new Error('direct index writes are applied to the index they were written to');
    if (this.#rebuild && !this.#direct) index.clear();
    for (const k of this.#keys) k.id ??= index.addKey(k.key);
    this.#flush(index);
    for (const k of this.#keys) index.setLeaf(k.id!, k.count, k.acc);
  }

  #flush(index: EvidenceIndex): void {
    const e = this.#entries;
    for (let i = 0; i < e.length; i += 3) index.addRecord(this.#keys[e[i]!]!.id!, e[i + 1]!, e[i + 2]!);
    this.#entries = [];
  }
}

/** Each table holds its rows of the kept state plus one per record of its kind since; a shortfall is a deleted row, named by the full count. */
function checkRowCounts(table: EvidenceLogTables, to: number, was: ReadonlyMap<string, number>, added: ReadonlyMap<string, number>, now: ReadonlyMap<string, number>): void {
  for (const [kind, n] of now) {
    const want = (was.get(kind) ?? 0) + (added.get(kind) ?? 0);
    if (n >= want) continue; // more: rows no record names (written unchained); exports never read them, `deliveries` marks them
    table.checkRows(to, { rows: true });
    throw new EvidenceError(`${want - n} ${kind} row(s) deleted since the last checkpoint (not rows of chained records)`);
  }
}

/**
 * The leaf hashes of the index as `signed` committed it: every leaf read from the database, hashed,
 * and checked against the signed root.
 * With no signed index yet (a log from before evidence-004, or whose index has older keys), the
 * index is rebuilt from record 0.
 */
function signedLeaves(index: EvidenceIndex, signed: IndexHead | undefined): IndexLeaves {
  if (signed === undefined) return IndexLeaves.empty();
  const leaves = IndexLeaves.fromSorted((function* () {
    for (const l of index.leaves()) yield { key: l.key, hash: indexLeafHash(l) };
  })());
  if (leaves.size !== signed.size || leaves.root() !== signed.root) {
    throw new EvidenceError('the key index in the database no longer matches the root signed in the last checkpoint: it was edited');
  }
  return leaves;
}

export const indexLeafHash = (l: IndexLeaf): Buffer => leafHashOfText(indexLeafText(l));

import type { DatabaseSync, SQLOutputValue } from 'node:sqlite';
import type { IndexLeaf } from '../../evidence/key-index.ts';
import type { EvidenceIndex, StoredKey } from '../../evidence/log-store.ts';
import { toBuf } from './chain-runs.ts';
import { prepareAll } from './statements.ts';

export type { StoredKey };

/**
 * SQL for the key index (evidence-004). Callers own transactions. Nothing here is trusted: the
 * audit writes it from records checked against their chain links, and every reader compares the
 * leaves with the root signed in a checkpoint (src/evidence/audit.ts, src/exports/completeness.ts).
 */
export class EvidenceIndexTable implements EvidenceIndex {
  readonly #st;

  constructor(db: DatabaseSync) {
    this.#st = prepareAll(db, {
      get: 'SELECT id, key, count, acc FROM evidence_index_keys WHERE key = ?',
      insertKey: 'INSERT INTO evidence_index_keys (key, count, acc) VALUES (?, ?, ?)',
      updateKey: 'UPDATE evidence_index_keys SET count = ?, acc = ? WHERE id = ?',
      insertRecord: 'INSERT INTO evidence_index_records (key_id, seq, at) VALUES (?, ?, ?)',
      clearRecords: 'DELETE FROM evidence_index_records',
      clearKeys: 'DELETE FROM evidence_index_keys',
      size: 'SELECT COUNT(*) AS n FROM evidence_index_keys',
      leaves: 'SELECT key, count, acc FROM evidence_index_keys ORDER BY key',
      position: 'SELECT COUNT(*) AS n FROM evidence_index_keys WHERE key < ?',
      between: 'SELECT id, key, count, acc FROM evidence_index_keys WHERE key >= ? AND key <= ? ORDER BY key',
      records: 'SELECT seq, at FROM evidence_index_records WHERE key_id = ? ORDER BY seq',
    });
  }

  get(key: string): StoredKey | undefined {
    const r = this.#st.get.get(key);
    return r ? storedKey(r) : undefined;
  }

  /** A new key, with no records yet (count 0, accumulator zero); returns its id. */
  addKey(key: string): number {
    return Number(this.#st.insertKey.run(key, 0, Buffer.alloc(32)).lastInsertRowid);
  }

  setLeaf(id: number, count: number, acc: Uint8Array): void {
    this.#st.updateKey.run(count, acc, id);
  }

  addRecord(keyId: number, seq: number, at: number): void {
    this.#st.insertRecord.run(keyId, seq, at);
  }

  clear(): void {
    this.#st.clearRecords.run();
    this.#st.clearKeys.run();
  }

  size(): number {
    return Number(this.#st.size.get()!.n);
  }

  /** Every leaf, sorted by key (BINARY collation: byte order, the same as JavaScript's for the ASCII keys). */
  *leaves(): Generator<IndexLeaf> {
    for (const r of this.#st.leaves.iterate()) yield { key: String(r.key), count: Number(r.count), acc: toBuf(r.acc) };
  }

  /** Position of `key` in the sorted leaves if present, else where it would go. */
  position(key: string): number {
    return Number(this.#st.position.get(key)!.n);
  }

  /** The keys from `lo` to `hi` (inclusive), sorted. */
  between(lo: string, hi: string): StoredKey[] {
    return this.#st.between.all(lo, hi).map(storedKey);
  }

  /** The records filed under a key: (seq, at) in seq order. */
  records(keyId: number): [seq: number, at: number][] {
    return this.#st.records.all(keyId).map((r) => [Number(r.seq), Number(r.at)]);
  }
}

const storedKey = (r: Record<string, SQLOutputValue>): StoredKey => ({ id: Number(r.id), key: String(r.key), count: Number(r.count), acc: toBuf(r.acc) });

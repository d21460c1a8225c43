import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { IndexLeaf } from '../../evidence/key-index.ts';
import type { EvidenceIndex, StoredKey } from '../../evidence/log-store.ts';

export type { StoredKey };

const toBuf = (v: unknown) => Buffer.from(v as Uint8Array);

/**
 * SQL for the key index (evidence-004). Callers own transactions. Nothing here is trusted: the
 * audit writes it from records checked against their chain links, and every reader compares the
 * leaves with the root signed in a checkpoint (src/evidence/audit.ts, src/exports/completeness.ts).
 */
export class EvidenceIndexTable implements EvidenceIndex {
  readonly #db: DatabaseSync;
  readonly #get: StatementSync;
  readonly #insertKey: StatementSync;
  readonly #updateKey: StatementSync;
  readonly #insertRecord: StatementSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
    this.#get = db.prepare('SELECT id, key, count, acc FROM evidence_index_keys WHERE key = ?');
    this.#insertKey = db.prepare('INSERT INTO evidence_index_keys (key, count, acc) VALUES (?, ?, ?)');
    this.#updateKey = db.prepare('UPDATE evidence_index_keys SET count = ?, acc = ? WHERE id = ?');
    this.#insertRecord = db.prepare('INSERT INTO evidence_index_records (key_id, seq, at) VALUES (?, ?, ?)');
  }

  get(key: string): StoredKey | undefined {
    const r = this.#get.get(key);
    return r ? { id: Number(r.id), key: String(r.key), count: Number(r.count), acc: toBuf(r.acc) } : undefined;
  }

  /** A new key, with no records yet (count 0, accumulator zero); returns its id. */
  addKey(key: string): number {
    return Number(this.#insertKey.run(key, 0, Buffer.alloc(32)).lastInsertRowid);
  }

  setLeaf(id: number, count: number, acc: Uint8Array): void {
    this.#updateKey.run(count, acc, id);
  }

  addRecord(keyId: number, seq: number, at: number): void {
    this.#insertRecord.run(keyId, seq, at);
  }

  clear(): void {
    this.#db.exec('DELETE FROM evidence_index_records; DELETE FROM evidence_index_keys');
  }

  size(): number {
    return Number(this.#db.prepare('SELECT COUNT(*) AS n FROM evidence_index_keys').get()!.n);
  }

  /** Every leaf, sorted by key (BINARY collation: byte order, the same as JavaScript's for the ASCII keys). */
  *leaves(): Generator<IndexLeaf> {
    for (const r of this.#db.prepare('SELECT key, count, acc FROM evidence_index_keys ORDER BY key').iterate()) {
      yield { key: String(r.key), count: Number(r.count), acc: toBuf(r.acc) };
    }
  }

  /** Position of `key` in the sorted leaves if present, else where it would go. */
  position(key: string): number {
    return Number(this.#db.prepare('SELECT COUNT(*) AS n FROM evidence_index_keys WHERE key < ?').get(key)!.n);
  }

  /** The keys from `lo` to `hi` (inclusive), sorted. */
  between(lo: string, hi: string): StoredKey[] {
    return this.#db.prepare('SELECT id, key, count, acc FROM evidence_index_keys WHERE key >= ? AND key <= ? ORDER BY key').all(lo, hi)
      .map((r) => ({ id: Number(r.id), key: String(r.key), count: Number(r.count), acc: toBuf(r.acc) }));
  }

  /** The records filed under a key: (seq, at) in seq order. */
  records(keyId: number): [seq: number, at: number][] {
    return this.#db.prepare('SELECT seq, at FROM evidence_index_records WHERE key_id = ? ORDER BY seq').all(keyId)
      .map((r) => [Number(r.seq), Number(r.at)]);
  }
}

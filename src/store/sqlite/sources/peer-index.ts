import type { DatabaseSync } from 'node:sqlite';

/** The partial index on imported peer ids (migration sources-001; peer-index.test.ts checks they agree). */
export const PEER_INDEX_SQL = 'CREATE INDEX source_records_peer ON source_records(peer_id) WHERE peer_id IS NOT NULL';

/** Peer ids an import stores before it may drop the index (small imports keep it). */
const MIN_PEER_ROWS = 100_000;

/**
 * The peer-id index during a large import (issue 14: a 10,000,000-row list at >= 200,000 rows/s).
 * Peer ids are random, so each one lands on a random page of the index: with 10 % of the rows carrying
 * one, keeping the index up to date cost 15 s of CPU at 10 million rows (bench/sources-import.bench.ts:
 * 28.5 s to store the rows with it, 13.4 s without), while building it again from the table took 1.7 s.
 * So an import drops it once its own peer ids reach MIN_PEER_ROWS and 1/16 of the table's rows (what
 * the import already paid in upkeep is then about what one rebuild over the whole table costs), and the
 * index is built again when the import ends, complete or abandoned, in the same transaction as the
 * 'complete' mark: a complete import always has it. An import interrupted by a crash leaves it missing
 * until the next import, abandon or match run rebuilds it (ensure()); meanwhile queries are only slower
 * (SQLite builds an automatic index), never different. Other connections re-prepare after the schema change.
 */
export class PeerIndex {
  readonly #db: DatabaseSync;
  /** Per import: the table's rows when it started storing, its peer ids so far, and whether it dropped the index. */
  readonly #imports = new Map<number, { tableRows: number; peerRows: number; dropped: boolean }>();
  constructor(db: DatabaseSync) { this.#db = db; }

  /** Inside the transaction of a slice of `importId` carrying `peerRows` peer ids, before its rows are stored. */
  beforeSlice(importId: number, peerRows: number): void {
    let s = this.#imports.get(importId);
    if (s === undefined) {
      s = { tableRows: Number(this.#db.prepare('SELECT COALESCE(MAX(id), 0) AS n FROM source_records').get()!.n), peerRows: 0, dropped: false };
      this.#imports.set(importId, s);
    }
    s.peerRows += peerRows;
    if (!s.dropped && s.peerRows >= Math.max(MIN_PEER_ROWS, s.tableRows / 16)) {
      this.#db.exec('DROP INDEX IF EXISTS source_records_peer');
      s.dropped = true;
    }
  }

  /** Builds the index if it is missing (inside the caller's transaction); the import, if any, is done. */
  ensure(importId?: number): void {
    this.#db.exec(PEER_INDEX_SQL.replace('CREATE INDEX', 'CREATE INDEX IF NOT EXISTS'));
    if (importId !== undefined) this.#imports.delete(importId);
  }
}

import type { DatabaseSync } from 'node:sqlite';
import type { SourceRow } from '../../sources/source-row.ts';
import { SqliteSourceStore } from '../sqlite/sources/source-store.ts';
import { copyLine } from './copy-text.ts';
import { PG_BATCH } from './pg-database.ts';
import type { SyncConnection } from './sync-connection.ts';

/** The match table's secondary B-tree indexes and their definitions (match-indexes.ts drops and rebuilds them for a large run). */
const MATCH_INDEXES = `SELECT c.relname AS name, pg_get_indexdef(i.indexrelid) AS sql FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
  WHERE i.indrelid = 'source_matches'::regclass AND NOT i.indisprimary AND NOT i.indisunique ORDER BY 1`;
const COPY_RECORDS = 'COPY source_records (import_id, line, ip, port, at, timestamp_text, timezone, action, file_hash, file_name, reference, peer_id) FROM STDIN';

/**
 * The SourceStore on PostgreSQL (tables: migrations/pg-sources-001.ts): the SQLite store's SQL over
 * the PgDatabase facade (matching, provenance, listing are written once, in sqlite/sources/), with
 * the imported rows loaded by COPY instead of one INSERT per row. Issue 14's target for the import
 * is 200,000 rows/s with validation.
 */
export class PgSourceStore extends SqliteSourceStore {
  readonly #db: DatabaseSync;
  readonly #conn: SyncConnection;
  constructor(db: DatabaseSync, conn: SyncConnection) { super(db, MATCH_INDEXES, PG_BATCH); this.#db = db; this.#conn = conn; }

  /**
   * One COPY per slice (one statement: all of it or none). It runs while the caller validates the
   * next slice; its error, if any, is thrown by the next call on the connection, and the import,
   * still 'loading' and read by no query, is then abandoned as on SQLite.
   */
  override addRecords(importId: number, rows: readonly SourceRow[]): void {
    // What SQLite's foreign key refuses (pg-sources-001 has none on this table): rows of no import.
    // This waits for the previous slice's COPY, which the next COPY would wait for too.
    if (this.#db.prepare('SELECT 1 AS ok FROM source_imports WHERE id = ?').get(importId) === undefined) {
      throw new Error(`no source import ${importId}: its rows cannot be added`);
    }
    if (rows.length === 0) return;
    const lines: string[] = [];
    for (const r of rows) {
      lines.push(copyLine([importId, r.line, r.ip, r.port, r.at, r.timestampText, r.timezone, r.action, r.fileHash, r.fileName, r.reference,
        r.peerId === null ? null : Buffer.from(r.peerId, 'hex')]));
    }
    this.#conn.copyInBackground(COPY_RECORDS, lines.join(''));
  }
}

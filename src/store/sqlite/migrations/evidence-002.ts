import type { Migration } from './migration.ts';

/**
 * The chain stores links, not copies. evidence-001 kept each record's canonical text beside the
 * observation row it was made from: every observation was written twice, and that second write was
 * most of the cost of chaining (bench/chain.bench.ts). Now a link holds the chain position, the
 * row it was made from and the record hash; the record text is re-derived from that row
 * (src/store/sqlite/record-tables) and checked against the hash whenever it is read, so an edited
 * row is detected, not exported.
 *
 * Records chained under evidence-001 keep their stored text (evidence_legacy, row_id NULL).
 */
export const EVIDENCE_002: Migration = {
  name: 'evidence-002',
  sql: `
  ALTER TABLE evidence_log RENAME TO evidence_legacy;

  CREATE TABLE evidence_links (
    seq INTEGER PRIMARY KEY,         -- 0-based, contiguous; = Merkle leaf index
    kind TEXT NOT NULL,              -- recordable kind: names the row's table
    row_id INTEGER,                  -- id of the row the record is derived from; NULL: text in evidence_legacy
    hash BLOB NOT NULL               -- SHA-256(0x00 || record): chain link and Merkle leaf hash
  ) STRICT;
  -- One record per row, and the way from a row (found by its table's ip/decoy/time index) to its seq.
  CREATE UNIQUE INDEX evidence_links_row ON evidence_links(kind, row_id);
  INSERT INTO evidence_links (seq, kind, row_id, hash) SELECT seq, kind, NULL, hash FROM evidence_legacy;

  CREATE TABLE clock_statements (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,             -- UTC ms
    source TEXT NOT NULL,
    sync_state TEXT NOT NULL,
    ntp_offset_ms INTEGER,
    ntp_server TEXT,
    note TEXT NOT NULL
  ) STRICT;

  CREATE TABLE evidence_meta (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
  ) STRICT;
  INSERT INTO evidence_meta (name, value)
    SELECT 'node', json_extract(record, '$.node') FROM evidence_legacy ORDER BY seq DESC LIMIT 1;
  `,
};

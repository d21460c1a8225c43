import type { Migration } from './migration.ts';

/**
 * The key index that every signed checkpoint commits to (src/evidence/key-index.ts,
 * docs/completeness.md). Written by the audit that runs before each checkpoint, from records
 * re-derived from their rows and checked against their chained hashes, never from the filter
 * columns of the rows themselves: an export by IP or decoy finds its records here, so a row whose
 * remote_ip, decoy_id or start time was edited, or that was deleted, cannot drop out of a selection.
 * These tables are not trusted either: at every checkpoint and export their leaves are hashed again
 * and compared with the root signed in the last checkpoint.
 */
export const EVIDENCE_004: Migration = {
  name: 'evidence-004',
  sql: `
  CREATE TABLE evidence_index_keys (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,        -- "ip:<address>" or "decoy:<id>"
    count INTEGER NOT NULL,          -- records filed under the key
    acc BLOB NOT NULL CHECK (length(acc) = 32)  -- accumulator over (seq, at, hash) of those records
  ) STRICT;

  CREATE TABLE evidence_index_records (
    key_id INTEGER NOT NULL,
    seq INTEGER NOT NULL,            -- the record's position in the chain
    at INTEGER NOT NULL,             -- its UTC ms time (the record header's "at")
    PRIMARY KEY (key_id, seq)
  ) STRICT, WITHOUT ROWID;
  `,
};

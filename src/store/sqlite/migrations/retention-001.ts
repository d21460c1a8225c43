import type { Migration } from './migration.ts';

/**
 * Retention, legal hold and erasure (issue 13 §7, LED Art. 4, 5 and 25; docs/retention.md).
 * - web_legal_holds: an address under legal hold is never erased, whatever its records' age.
 * - evidence_erased: one tombstone per erased chained record. The record's row is deleted; its leaf
 *   hash stays in evidence_runs, so the chain and every Merkle proof still verify, and re-deriving
 *   the record reports it as erased (with when and by which erasure), never as tampered.
 */
export const RETENTION_001: Migration = {
  name: 'retention-001',
  sql: `
  CREATE TABLE web_legal_holds (
    id INTEGER PRIMARY KEY,
    ip TEXT NOT NULL,                 -- normalised address (RFC 5952; IPv4-mapped as IPv4)
    case_ref TEXT NOT NULL,
    placed_by TEXT NOT NULL,
    placed_at INTEGER NOT NULL,       -- UTC ms
    released_by TEXT,
    released_at INTEGER
  ) STRICT;
  CREATE INDEX web_legal_holds_active ON web_legal_holds(ip) WHERE released_at IS NULL;

  CREATE TABLE evidence_erased (
    seq INTEGER PRIMARY KEY,          -- the chained record (its hash stays in evidence_runs)
    kind TEXT NOT NULL,
    row_id INTEGER NOT NULL,          -- the deleted row's id in its kind's table
    at INTEGER NOT NULL,              -- the record's time (UTC ms): time keys and proofs still need it
    erased_at INTEGER NOT NULL,
    erasure TEXT NOT NULL             -- the erasure's reference, as in the access log
  ) STRICT;
  CREATE INDEX evidence_erased_row ON evidence_erased(kind, row_id);
  `,
};

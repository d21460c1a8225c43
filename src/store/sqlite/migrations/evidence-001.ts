import type { Migration } from './migration.ts';

/**
 * The tamper-evident log (issue 5). Every observation becomes one chained record; `seq` is both
 * the chain position and the RFC 9162 Merkle leaf index. `record` holds the exact canonical bytes
 * that were hashed, so verification never depends on re-encoding a row.
 * ip/decoy_id/at are copies for export filters only; they are not trusted by verification.
 */
export const EVIDENCE_001: Migration = {
  name: 'evidence-001',
  sql: `
  CREATE TABLE evidence_log (
    seq INTEGER PRIMARY KEY,         -- 0-based, contiguous; = Merkle leaf index
    kind TEXT NOT NULL,
    at INTEGER NOT NULL,             -- UTC ms (delivery: start)
    ip TEXT,
    decoy_id INTEGER,
    record TEXT NOT NULL,            -- canonical JSON (RFC 8785 subset), the hashed bytes
    hash BLOB NOT NULL               -- SHA-256(0x00 || record): chain link and Merkle leaf hash
  ) STRICT;
  CREATE INDEX evidence_log_ip ON evidence_log(ip, at) WHERE ip IS NOT NULL;
  -- No decoy_id index on purpose: each index costs ingest throughput (bench/chain.bench.ts); exports by decoy scan.
  CREATE INDEX evidence_log_clock ON evidence_log(seq) WHERE kind = 'clock';

  CREATE TABLE evidence_checkpoints (
    id INTEGER PRIMARY KEY,
    tree_size INTEGER NOT NULL,
    at INTEGER NOT NULL,             -- UTC ms
    reason TEXT NOT NULL,            -- periodic | shutdown | export | manual
    body TEXT NOT NULL,              -- canonical JSON that was signed
    signature BLOB NOT NULL,         -- Ed25519 over body
    frontier BLOB NOT NULL           -- perfect-subtree roots (32 bytes each), largest first: extends to the next checkpoint
  ) STRICT;
  CREATE INDEX evidence_checkpoints_size ON evidence_checkpoints(tree_size);

  CREATE TABLE evidence_cases (
    name TEXT PRIMARY KEY,
    filter TEXT NOT NULL,            -- JSON: { ip?, decoyId?, from?, to? }
    created_at INTEGER NOT NULL
  ) STRICT;
  `,
};

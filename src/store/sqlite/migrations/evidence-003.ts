import type { Migration } from './migration.ts';

/** Records per run: a run's hashes (32 bytes each) stay one small BLOB, cheap to read for one record. */
export const MAX_RUN = 256;

/**
 * The chain stores runs of links, not one link per record. evidence-002's link row per record was an
 * insert into a table and a unique index for every observation, a fifth of the chained ingest cost
 * (bench/chain.bench.ts). A run is up to MAX_RUN records of one kind, chained one after the other,
 * whose rows are consecutive in their table: record first_seq + k is row first_row_id + k, and its
 * leaf hash is bytes [32k, 32k + 32) of `hashes`. A batch of 5,000 deliveries is 20 runs.
 *
 * Runs tile the chain: each run starts where the previous one ends (checked whenever the chain is
 * read). Records chained under evidence-001 (row_id NULL in evidence_links) become runs of one with
 * first_row_id NULL; their text stays in evidence_legacy.
 *
 * The conversion groups evidence_links into islands: records of one kind with consecutive seqs and
 * consecutive row ids have the same row_id - seq, and seq - ROW_NUMBER() is constant along each
 * island; islands longer than MAX_RUN are cut every MAX_RUN records.
 */
export const EVIDENCE_003: Migration = {
  name: 'evidence-003',
  sql: `
  CREATE TABLE evidence_runs (
    first_seq INTEGER PRIMARY KEY,   -- seq of the run's first record (0-based; = Merkle leaf index)
    kind TEXT NOT NULL,              -- recordable kind: names the rows' table
    first_row_id INTEGER,            -- row of the first record; record first_seq + k is row first_row_id + k. NULL: evidence-001 record, text in evidence_legacy
    count INTEGER NOT NULL CHECK (count BETWEEN 1 AND ${MAX_RUN} AND (first_row_id IS NOT NULL OR count = 1)),
    hashes BLOB NOT NULL CHECK (length(hashes) = 32 * count)  -- SHA-256(0x00 || record) of each record: chain links and Merkle leaves
  ) STRICT;
  -- The way from a row (found by its table's ip/decoy/time index) to its run.
  CREATE UNIQUE INDEX evidence_runs_row ON evidence_runs(kind, first_row_id);
  CREATE INDEX evidence_runs_clock ON evidence_runs(first_seq) WHERE kind = 'clock';

  INSERT INTO evidence_runs (first_seq, kind, first_row_id, count, hashes)
    SELECT MIN(seq), kind, MIN(row_id), COUNT(*), unhex(group_concat(hex(hash), '' ORDER BY seq))
    FROM (SELECT seq, kind, row_id, hash, d, isl, ROW_NUMBER() OVER (PARTITION BY kind, d, isl ORDER BY seq) - 1 AS k
          FROM (SELECT seq, kind, row_id, hash, row_id - seq AS d, seq - ROW_NUMBER() OVER (PARTITION BY kind, row_id - seq ORDER BY seq) AS isl
                FROM evidence_links WHERE row_id IS NOT NULL))
    GROUP BY kind, d, isl, k / ${MAX_RUN};
  INSERT INTO evidence_runs (first_seq, kind, first_row_id, count, hashes)
    SELECT seq, kind, NULL, 1, hash FROM evidence_links WHERE row_id IS NULL;
  DROP TABLE evidence_links;
  `,
};

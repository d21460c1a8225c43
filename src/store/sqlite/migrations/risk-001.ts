import type { Migration } from './migration.ts';

/**
 * The risk rollup (issue 14 §3 benchmark: scoring every IP of 10,000,000 deliveries <= 30 s). Scoring
 * read every delivery again on each run (34.6 s at 3,000,000 deliveries); these tables hold what the
 * factors need per address, extended from a high-water mark on deliveries.id like the intelligence
 * rollups (intel-001), so a run reads only the deliveries added since the last one. Not-metadata-only
 * deliveries only (sources/risk-rollup.ts). Left empty here: the first score fills them.
 */
export const RISK_001: Migration = {
  name: 'risk-001',
  sql: `
  -- Per address and UTC day: its deliveries, completed ones, first and last start, first completed start.
  CREATE TABLE risk_ip_day (
    ip TEXT NOT NULL,
    day INTEGER NOT NULL,             -- started_at / 86400000
    deliveries INTEGER NOT NULL,
    completions INTEGER NOT NULL,
    first_at INTEGER NOT NULL,        -- UTC ms
    last_at INTEGER NOT NULL,
    first_completed_at INTEGER,
    PRIMARY KEY (ip, day)
  ) STRICT, WITHOUT ROWID;
  -- The distinct (address, decoy) and (address, network) pairs.
  CREATE TABLE risk_ip_decoy (ip TEXT NOT NULL, decoy_id INTEGER NOT NULL, PRIMARY KEY (ip, decoy_id)) STRICT, WITHOUT ROWID;
  CREATE TABLE risk_ip_network (ip TEXT NOT NULL, network TEXT NOT NULL, PRIMARY KEY (ip, network)) STRICT, WITHOUT ROWID;
  -- deliveries.id up to which the three tables are complete.
  CREATE TABLE risk_watermark (one INTEGER PRIMARY KEY CHECK (one = 1), last_id INTEGER NOT NULL) STRICT;
  INSERT INTO risk_watermark (one, last_id) VALUES (1, 0);
  `,
};

import type { PgMigration } from './migration.ts';

/**
 * risk-001 and risk-002 on PostgreSQL: the risk rollup (store/sqlite/sources/risk-rollup.ts, run here
 * as written through the facade) and the covering index for counting a match run's records per
 * address. The same columns in PostgreSQL types (INTEGER -> BIGINT, TEXT -> ctext). Left empty: the
 * first score fills them (postgres/pg-risk.ts says when the watermark on deliveries.id is safe here).
 */
export const PG_RISK_001: PgMigration = {
  name: 'pg-risk-001',
  sql: `
  -- Per address and UTC day: its deliveries, completed ones, first and last start, first completed start.
  CREATE TABLE risk_ip_day (
    ip ctext NOT NULL,
    day BIGINT NOT NULL,              -- started_at / 86400000
    deliveries BIGINT NOT NULL,
    completions BIGINT NOT NULL,
    first_at BIGINT NOT NULL,         -- UTC ms
    last_at BIGINT NOT NULL,
    first_completed_at BIGINT,
    PRIMARY KEY (ip, day)
  );
  -- The distinct (address, decoy) and (address, network) pairs.
  CREATE TABLE risk_ip_decoy (ip ctext NOT NULL, decoy_id BIGINT NOT NULL, PRIMARY KEY (ip, decoy_id));
  CREATE TABLE risk_ip_network (ip ctext NOT NULL, network ctext NOT NULL, PRIMARY KEY (ip, network));
  -- deliveries.id up to which the three tables are complete.
  CREATE TABLE risk_watermark (one BIGINT PRIMARY KEY CHECK (one = 1), last_id BIGINT NOT NULL);
  INSERT INTO risk_watermark (one, last_id) VALUES (1, 0);
  -- risk-002: a match run's records per address counted from the index alone.
  DROP INDEX source_matches_ip;
  CREATE INDEX source_matches_ip ON source_matches(run_id, ip, other_kind, source_record_id);
  `,
};

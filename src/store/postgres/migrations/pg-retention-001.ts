import type { PgMigration } from './migration.ts';

/**
 * retention-001 on PostgreSQL: the tombstone table the chain's row checks read (src/store/sqlite/
 * chain-row-checks.ts counts erased records as rows). Erasure itself runs on SQLite only and is
 * refused on PostgreSQL (docs/retention.md), so on PostgreSQL this table stays empty; without it
 * every audit failed with "relation evidence_erased does not exist".
 */
export const PG_RETENTION_001: PgMigration = {
  name: 'pg-retention-001',
  sql: `
  CREATE TABLE evidence_erased (
    seq BIGINT PRIMARY KEY,
    kind ctext NOT NULL,
    row_id BIGINT NOT NULL,
    at BIGINT NOT NULL,
    erased_at BIGINT NOT NULL,
    erasure ctext NOT NULL
  );
  CREATE INDEX evidence_erased_row ON evidence_erased(kind, row_id);
  `,
};

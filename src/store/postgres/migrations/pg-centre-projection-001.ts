import type { PgMigration } from './migration.ts';

/**
 * The background projection's failures (CentreServer, after batches; CentreDb.project): counted here,
 * with the last one's time and message, so that `centre status` shows them to the operator (the
 * intake runs in another process). A failure loses nothing: the records are stored, and the next
 * projection (after the next batch, or the rollups' refresh) covers them.
 */
export const PG_CENTRE_PROJECTION_001: PgMigration = {
  name: 'pg-centre-projection-001',
  sql: `
  CREATE TABLE centre_projection_failures (
    one BOOLEAN PRIMARY KEY DEFAULT true CHECK (one),
    failures BIGINT NOT NULL,
    last_at BIGINT NOT NULL,
    last_error ctext NOT NULL
  );
  `,
};

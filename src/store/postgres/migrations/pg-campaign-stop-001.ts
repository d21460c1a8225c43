import type { PgMigration } from './migration.ts';

/** campaign-stop-001 on PostgreSQL: when a campaign was stopped (it releases nothing more), and why. */
export const PG_CAMPAIGN_STOP_001: PgMigration = {
  name: 'pg-campaign-stop-001',
  sql: `
  ALTER TABLE campaigns ADD COLUMN stopped_at BIGINT;
  ALTER TABLE campaigns ADD COLUMN stopped_reason ctext;
  `,
};

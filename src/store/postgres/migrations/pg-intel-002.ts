import { rebuildActivitySql } from '../../sqlite/intel/rollups.ts';
import { PG_INTEL } from '../intel-dialect.ts';
import type { PgMigration } from './migration.ts';

/**
 * SQLite's intel-004 on PostgreSQL: each address's last non-metadata-only delivery in the activity
 * rollup, indexed by time, for the referral due list; the day and address activity computed again
 * from the records rolled up so far (erasures before this version left erased deliveries in them).
 */
export const PG_INTEL_002: PgMigration = {
  name: 'pg-intel-002',
  sql: `
  ALTER TABLE intel_ip_activity ADD COLUMN last_delivery_at BIGINT;
  ${rebuildActivitySql(PG_INTEL).join(';\n')};
  CREATE INDEX intel_ip_activity_last_delivery ON intel_ip_activity(last_delivery_at);
  `,
};

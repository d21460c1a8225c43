import { fillPlaceSql } from '../../sqlite/intel/rollups.ts';
import type { PgMigration } from './migration.ts';

/**
 * SQLite's intel-005 on PostgreSQL: each address's place as the retention rules key on it (country and
 * AS number of its current assessment when placeable) in the activity rollup, indexed with its last
 * delivery, for the referral due list.
 */
export const PG_INTEL_003: PgMigration = {
  name: 'pg-intel-003',
  sql: `
  ALTER TABLE intel_ip_activity ADD COLUMN place_country ctext;
  ALTER TABLE intel_ip_activity ADD COLUMN place_asn BIGINT;
  ${fillPlaceSql('true')};
  CREATE INDEX intel_ip_activity_place_last ON intel_ip_activity(place_country, last_delivery_at, place_asn);
  `,
};

import { SQLITE_INTEL } from '../intel/intel-dialect.ts';
import { rebuildActivitySql } from '../intel/rollups.ts';
import type { Migration } from './migration.ts';

/**
 * Each address's last non-metadata-only delivery in the activity rollup, indexed by time, for the
 * referral due list (issue 13 target: API p95 <= 100 ms for /api/referrals/due). With the clock inside
 * the data, the list looked up every address active in the retention horizon in deliveries_ip and read
 * its rows to skip metadata-only sessions: ~4 s of CPU at 10,000,000 deliveries (referral-tables.ts).
 *
 * The day and address activity are computed again from the records rolled up so far, the new column
 * with them: erasures before this version left the erased deliveries in both (rollups.ts now takes
 * them out). The same statements as pg-intel-002.
 */
export const INTEL_004: Migration = {
  name: 'intel-004',
  sql: `
  ALTER TABLE intel_ip_activity ADD COLUMN last_delivery_at INTEGER;   -- start of the last non-metadata-only delivery (UTC ms)
  ${rebuildActivitySql(SQLITE_INTEL).join(';\n')};
  CREATE INDEX intel_ip_activity_last_delivery ON intel_ip_activity(last_delivery_at);
  `,
};

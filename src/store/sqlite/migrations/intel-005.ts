import { fillPlaceSql } from '../intel/rollups.ts';
import type { Migration } from './migration.ts';

/**
 * Each address's place as the retention rules key on it (the country and AS number of its current
 * assessment when it is placeable, NULL otherwise) in the activity rollup, beside its last delivery,
 * and one index over (place_country, last_delivery_at, place_asn): a retention rule's addresses in
 * deadline order, read from the index alone, for the referral due list (issue 13 target: API p95
 * <= 100 ms for /api/referrals/due; with five rules at 10,000,000 deliveries it cost 50-58 ms of CPU
 * a request, two thirds of it seeks from the time index into intel_ip_geo; referral-tables.ts).
 * Kept by the refresh (rollups.ts) and by each assessment (enrichment-tables.ts). The same statements
 * as pg-intel-003.
 */
export const INTEL_005: Migration = {
  name: 'intel-005',
  sql: `
  ALTER TABLE intel_ip_activity ADD COLUMN place_country TEXT;    -- country of the current assessment when placeable, else NULL
  ALTER TABLE intel_ip_activity ADD COLUMN place_asn INTEGER;     -- its AS number when placeable, else NULL
  ${fillPlaceSql('true')};
  CREATE INDEX intel_ip_activity_place_last ON intel_ip_activity(place_country, last_delivery_at, place_asn);
  `,
};

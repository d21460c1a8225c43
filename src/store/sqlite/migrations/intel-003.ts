import { SQLITE_INTEL } from '../intel/intel-dialect.ts';
import { countPairsSql, fillFromDeliveriesSql } from '../intel/rollups.ts';
import type { Migration } from './migration.ts';

/**
 * The rollups of intel/rollups.ts for every period and place dimension, maintained by the refresh
 * (set-based statements that run on SQLite and PostgreSQL alike) instead of intel-002's SQLite
 * triggers, which counted weeks by municipality only: `stats --period year --by county` ran as a
 * plain query, 13.5 min at 3 million deliveries. Filled from what the older rollups hold.
 */
export const INTEL_003: Migration = {
  name: 'intel-003',
  sql: `
  DROP TRIGGER intel_week_added;
  DROP TRIGGER intel_geo_added;
  DROP TRIGGER intel_geo_moved;
  DROP TABLE intel_week_municipality;

  -- (period bucket, address) pairs with a non-metadata-only delivery; bucket = its first day, days since 1970-01-01.
  CREATE TABLE intel_ip_bucket (
    period TEXT NOT NULL CHECK (period IN ('week', 'month', 'year')),
    bucket INTEGER NOT NULL,
    ip_id INTEGER NOT NULL,
    PRIMARY KEY (period, bucket, ip_id)
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX intel_ip_bucket_ip ON intel_ip_bucket(ip_id);
  INSERT INTO intel_ip_bucket (period, bucket, ip_id) SELECT 'week', week_day, ip_id FROM intel_ip_week;
  DROP TABLE intel_ip_week;

  -- Unique IPs per bucket and place: dim 'all' (place ''), 'country', 'county', 'municipality', 'asn'.
  CREATE TABLE intel_bucket_place (
    period TEXT NOT NULL,
    bucket INTEGER NOT NULL,
    dim TEXT NOT NULL,
    place TEXT NOT NULL,
    label TEXT NOT NULL,
    ips INTEGER NOT NULL,
    PRIMARY KEY (period, bucket, dim, place)
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE intel_day_activity (
    day INTEGER PRIMARY KEY,          -- days since 1970-01-01 (UTC)
    deliveries INTEGER NOT NULL, completed INTEGER NOT NULL, bytes INTEGER NOT NULL, metadata_only INTEGER NOT NULL
  ) STRICT;

  -- Work tables of one refresh or one enrichment batch, empty outside it.
  CREATE TABLE intel_stage_pairs (period TEXT NOT NULL, bucket INTEGER NOT NULL, ip_id INTEGER NOT NULL) STRICT;
  CREATE TABLE intel_stage_ips (ip_id INTEGER PRIMARY KEY) STRICT;

  ${fillFromDeliveriesSql(SQLITE_INTEL, ['month', 'year']).join(';\n')};
  ${countPairsSql('intel_ip_bucket', 1).join(';\n')};
  `,
};

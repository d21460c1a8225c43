import type { PgMigration } from './migration.ts';
import { PG_CORE_001 } from './pg-core-001.ts';
import { PG_PARTITIONS_001 } from './pg-partitions-001.ts';
import { PG_CENTRE_001 } from './pg-centre-001.ts';
import { PG_DECOY_RETIRE_001 } from './pg-decoy-retire-001.ts';
import { PG_OBSERVATIONS_NETWORK_001 } from './pg-observations-network-001.ts';
import { PG_REFERRALS_001 } from './pg-referrals-001.ts';
import { PG_CENTRE_002 } from './pg-centre-002.ts';
import { PG_CENTRE_003 } from './pg-centre-003.ts';
import { PG_CENTRE_004 } from './pg-centre-004.ts';
import { PG_RETENTION_001 } from './pg-retention-001.ts';
import { PG_INTEL_001 } from './pg-intel-001.ts';
import { PG_SOURCES_001 } from './pg-sources-001.ts';
import { PG_WEB_001 } from './pg-web-001.ts';
import { PG_RETENTION_002 } from './pg-retention-002.ts';
import { PG_CENTRE_005 } from './pg-centre-005.ts';
import { PG_CAMPAIGN_STOP_001 } from './pg-campaign-stop-001.ts';
import { PG_CENTRE_006 } from './pg-centre-006.ts';
import { PG_RISK_001 } from './pg-risk-001.ts';
import { PG_CENTRE_ERASURE_001 } from './pg-centre-erasure-001.ts';
import { PG_INTEL_002 } from './pg-intel-002.ts';
import { PG_CENTRE_007 } from './pg-centre-007.ts';
import { PG_INTEL_003 } from './pg-intel-003.ts';
import { PG_CENTRE_PROJECTION_001 } from './pg-centre-projection-001.ts';
import { PG_WEB_002 } from './pg-web-002.ts';

/** Every PostgreSQL migration, in the order a fresh database applies them. */
export const PG_MIGRATIONS: readonly PgMigration[] = [
  PG_CORE_001,
  PG_PARTITIONS_001,
  PG_CENTRE_001,
  PG_DECOY_RETIRE_001,
  PG_OBSERVATIONS_NETWORK_001,
  PG_REFERRALS_001,
  PG_CENTRE_002,
  PG_CENTRE_003,
  PG_RETENTION_001,
  PG_INTEL_001,
  PG_SOURCES_001,
  PG_WEB_001,
  PG_RETENTION_002,
  PG_CENTRE_004,
  PG_CENTRE_005,
  PG_CAMPAIGN_STOP_001,
  PG_CENTRE_006,
  PG_RISK_001,
  PG_CENTRE_ERASURE_001,
  PG_INTEL_002,
  PG_CENTRE_007,
  PG_INTEL_003,
  PG_CENTRE_PROJECTION_001,
  PG_WEB_002,
];

/** Tables partitioned by month (pg-partitions-001; centre_records, pg-centre-001, became centre_segments in pg-centre-007). */
export const PARTITIONED_TABLES: readonly string[] = ['deliveries', 'tracker_announces', 'swarm_presence'];

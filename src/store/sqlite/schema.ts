import type { Migration } from './migrations/migration.ts';
import { CORE_001 } from './migrations/core-001.ts';
import { EVIDENCE_001 } from './migrations/evidence-001.ts';
import { DHT_001 } from './migrations/dht-001.ts';
import { DECOY_FACTORY_001 } from './migrations/decoy-factory-001.ts';
import { CORE_002 } from './migrations/core-002.ts';
import { CORE_003 } from './migrations/core-003.ts';
import { EVIDENCE_002 } from './migrations/evidence-002.ts';
import { EVIDENCE_003 } from './migrations/evidence-003.ts';
import { NODE_RUNS_001 } from './migrations/node-runs-001.ts';
import { SESSIONS_001 } from './migrations/sessions-001.ts';
import { EVIDENCE_004 } from './migrations/evidence-004.ts';
import { AGGREGATES_001 } from './migrations/aggregates-001.ts';
import { DECOY_RETIRE_001 } from './migrations/decoy-retire-001.ts';
import { INTEL_001 } from './migrations/intel-001.ts';
import { INTEL_002 } from './migrations/intel-002.ts';
import { INTEL_003 } from './migrations/intel-003.ts';
import { OBSERVATIONS_NETWORK_001 } from './migrations/observations-network-001.ts';
import { WEB_001 } from './migrations/web-001.ts';
import { REFERRALS_001 } from './migrations/referrals-001.ts';
import { RETENTION_001 } from './migrations/retention-001.ts';
import { SOURCES_001 } from './migrations/sources-001.ts';
import { RISK_001 } from './migrations/risk-001.ts';
import { RISK_002 } from './migrations/risk-002.ts';
import { CAMPAIGN_STOP_001 } from './migrations/campaign-stop-001.ts';
import { INTEL_004 } from './migrations/intel-004.ts';
import { INTEL_005 } from './migrations/intel-005.ts';
import { WEB_002 } from './migrations/web-002.ts';

/** Every migration, in the order a fresh database applies them. Features append their own. */
export const MIGRATIONS: readonly Migration[] = [
  CORE_001,
  EVIDENCE_001,
  DHT_001,
  DECOY_FACTORY_001,
  CORE_002,
  CORE_003,
  EVIDENCE_002,
  EVIDENCE_003,
  NODE_RUNS_001,
  SESSIONS_001,
  EVIDENCE_004,
  AGGREGATES_001,
  DECOY_RETIRE_001,
  INTEL_001,
  INTEL_002,
  OBSERVATIONS_NETWORK_001,
  WEB_001,
  REFERRALS_001,
  RETENTION_001,
  INTEL_003,
  SOURCES_001,
  RISK_001,
  RISK_002,
  CAMPAIGN_STOP_001,
  INTEL_004,
  INTEL_005,
  WEB_002,
];

import type { PgMigration } from './migration.ts';

/**
 * observations-network-001 on PostgreSQL (issue 16 item 3): observations name their network and a
 * network-neutral content id; NULL on rows recorded before (record schema v1). On the partitioned
 * tables ADD COLUMN reaches every partition.
 */
const TABLES = ['deliveries', 'session_progress', 'tracker_announces', 'rejected_connections', 'swarm_presence'];

export const PG_OBSERVATIONS_NETWORK_001: PgMigration = {
  name: 'pg-observations-network-001',
  sql: TABLES.map((t) => `
  ALTER TABLE ${t} ADD COLUMN network ctext;
  ALTER TABLE ${t} ADD COLUMN content_id ctext;`).join('') + `
  CREATE INDEX deliveries_content_id ON deliveries(content_id) WHERE content_id IS NOT NULL;
  `,
};

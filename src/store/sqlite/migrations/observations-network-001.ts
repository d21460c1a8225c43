import type { Migration } from './migration.ts';

/**
 * Observations name their P2P network and a network-neutral content id (issue 16, item 3;
 * domain/content-id.ts). Both NULL on rows recorded before: those stay record schema v1, and a row
 * with a network is a v2 record (evidence/record.ts, record-tables/record-table.ts). The values are
 * checked by the record codecs (OPT_NETWORK, OPT_CONTENT_ID), which refuse a row they could not chain.
 */
const TABLES = ['deliveries', 'session_progress', 'tracker_announces', 'rejected_connections', 'swarm_presence'];

export const OBSERVATIONS_NETWORK_001: Migration = {
  name: 'observations-network-001',
  sql: TABLES.map((t) => `
  ALTER TABLE ${t} ADD COLUMN network TEXT;
  ALTER TABLE ${t} ADD COLUMN content_id TEXT;`).join('') + `
  CREATE INDEX deliveries_content_id ON deliveries(content_id) WHERE content_id IS NOT NULL;
  `,
};

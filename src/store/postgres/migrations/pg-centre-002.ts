import type { PgMigration } from './migration.ts';

/**
 * The centre's assignments and node health (issue 12 item 4):
 * - centre_assignments: the campaigns the centre assigns to each node, as the campaign's definition
 *   (name, list rows, release per day, TTL, payload, hybrid) in JSON; a node pulls its rows and
 *   creates on itself the campaigns it does not have yet.
 * - centre_nodes.health / last_pull: what the node reported at its last pull (its adapters, where
 *   they listen, open inbound connections, decoys served, the assigned campaigns it runs and the
 *   problems it met applying them), and when.
 */
export const PG_CENTRE_002: PgMigration = {
  name: 'pg-centre-002',
  sql: `
  CREATE TABLE centre_assignments (
    node_id BIGINT NOT NULL REFERENCES centre_nodes(id),
    campaign ctext NOT NULL,
    spec ctext NOT NULL,
    assigned_at BIGINT NOT NULL,
    PRIMARY KEY (node_id, campaign)
  );
  ALTER TABLE centre_nodes ADD COLUMN last_pull BIGINT;
  ALTER TABLE centre_nodes ADD COLUMN health ctext;
  `,
};

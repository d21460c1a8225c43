import type { PgMigration } from './migration.ts';

/**
 * Node key revocation at the centre (issue 12 item 3, docs/centre.md). A node with records at the
 * centre keeps its registration (its key verifies them: pg-centre-003), so revoking is a mark, not a
 * delete: from `revoked_at` on, every request signed by the key is refused and counted
 * (centre_refusals, reason revoked-key); what was stored before stays, verifiable by the key.
 */
export const PG_CENTRE_004: PgMigration = {
  name: 'pg-centre-004',
  sql: `
  ALTER TABLE centre_nodes ADD COLUMN revoked_at bigint, ADD COLUMN revoked_reason text;
  `,
};

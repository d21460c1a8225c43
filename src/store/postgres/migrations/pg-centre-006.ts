import type { PgMigration } from './migration.ts';

/**
 * `centre unassign` stops the campaign on the node (issue 12): the assignment row stays, marked,
 * so the node's next pull is told to stop it (a deleted row would only stop telling it to run).
 * Assigning the campaign again clears the mark.
 */
export const PG_CENTRE_006: PgMigration = {
  name: 'pg-centre-006',
  sql: `
  ALTER TABLE centre_assignments ADD COLUMN unassigned_at BIGINT;
  `,
};

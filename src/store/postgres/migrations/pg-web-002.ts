import type { PgMigration } from './migration.ts';

/**
 * web-002 on PostgreSQL: TOTP replay (OWASP ASVS 2.8.4). The time step of the last code an account
 * logged in with; a code is accepted only for a later step, set in one conditional UPDATE
 * (governance-tables.ts, accounts.useTotpStep), so two logins with the same code on two workers'
 * connections cannot both pass (the second UPDATE waits for the first's row lock, then re-reads the
 * row and matches nothing). NULL: no code used yet.
 */
export const PG_WEB_002: PgMigration = {
  name: 'pg-web-002',
  sql: `
  ALTER TABLE web_accounts ADD COLUMN totp_last_step BIGINT;
  `,
};

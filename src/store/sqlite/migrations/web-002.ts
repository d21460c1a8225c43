import type { Migration } from './migration.ts';

/**
 * TOTP replay (OWASP ASVS 2.8.4: a time-based code is used once within its validity period): the time
 * step of the last code an account logged in with. A code is accepted only for a later step, set in one
 * conditional UPDATE (governance-tables.ts, accounts.useTotpStep), so two logins with the same code, in
 * one process or several (`serve --workers N`), cannot both pass. NULL: no code used yet. The same
 * column as pg-web-002.
 */
export const WEB_002: Migration = {
  name: 'web-002',
  sql: `
  ALTER TABLE web_accounts ADD COLUMN totp_last_step INTEGER;
  `,
};

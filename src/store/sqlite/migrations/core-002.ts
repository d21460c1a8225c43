import type { Migration } from './migration.ts';

/**
 * Observations the store could not take as rows (a value outside a column's type, a broken
 * invariant) are kept verbatim instead of being lost or blocking the ones behind them.
 */
export const CORE_002: Migration = {
  name: 'core-002',
  sql: `
  CREATE TABLE observation_quarantine (
    id INTEGER PRIMARY KEY,
    quarantined_at INTEGER NOT NULL, -- UTC ms
    kind TEXT NOT NULL,
    error TEXT NOT NULL,
    record TEXT NOT NULL              -- the observation as JSON
  ) STRICT;
  `,
};

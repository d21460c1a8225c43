import type { Migration } from './migration.ts';

/**
 * `decoys retire` (issue 15 item 2: there was no way to stop serving a decoy): one row per decoy
 * retired by hand, when and why, beside the decoy's status. Campaign TTL retirements are the
 * campaign's schedule and are not listed here.
 */
export const DECOY_RETIRE_001: Migration = {
  name: 'decoy-retire-001',
  sql: `
  CREATE TABLE decoy_retirements (
    id INTEGER PRIMARY KEY,
    decoy_id INTEGER NOT NULL UNIQUE REFERENCES decoys(id),
    retired_at INTEGER NOT NULL,   -- UTC ms
    reason TEXT NOT NULL           -- the operator's words (--reason), or what the command was asked
  ) STRICT;
  `,
};

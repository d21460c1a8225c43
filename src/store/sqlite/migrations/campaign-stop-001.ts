import type { Migration } from './migration.ts';

/**
 * A stopped campaign (issue 12: `centre unassign` stops the campaign on the node at its next pull):
 * it releases nothing more, and its decoys were retired when it stopped (decoy_retirements says
 * why). NULL: running. A stop is for good: the campaign's name and items stay, as its records do.
 */
export const CAMPAIGN_STOP_001: Migration = {
  name: 'campaign-stop-001',
  sql: `
  ALTER TABLE campaigns ADD COLUMN stopped_at INTEGER;   -- UTC ms
  ALTER TABLE campaigns ADD COLUMN stopped_reason TEXT;
  `,
};

import type { Migration } from './migration.ts';

/**
 * deliveries.info_hash: the infohash the peer's handshake named, stored with the delivery itself
 * (a hybrid decoy answers to a v1 and a v2 infohash), so the delivery's chained record can be
 * re-derived from its row alone (evidence-002). Older rows take their decoy's v1 infohash.
 */
export const CORE_003: Migration = {
  name: 'core-003',
  sql: `
  ALTER TABLE deliveries ADD COLUMN info_hash TEXT;
  UPDATE deliveries SET info_hash = (SELECT info_hash FROM decoys WHERE decoys.id = deliveries.decoy_id);
  `,
};

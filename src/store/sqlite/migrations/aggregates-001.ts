import type { Migration } from './migration.ts';

/**
 * Aggregate records (issue 17, item 4): events over a per-second record budget, or announces for
 * infohashes that are not decoys, counted per kind, cause, reason, source /24 or /48 and UTC second.
 * Chained like every other record (record-tables/aggregates.ts).
 */
export const AGGREGATES_001: Migration = {
  name: 'aggregates-001',
  sql: `
  CREATE TABLE aggregates (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL CHECK (at % 1000 = 0),   -- start of the UTC second, ms
    observed TEXT NOT NULL CHECK (observed IN ('rejected-connection', 'swarm-presence', 'tracker-announce')),
    cause TEXT NOT NULL CHECK (cause IN ('rate-cap', 'unknown-infohash')),
    reason TEXT NOT NULL,
    network TEXT NOT NULL,
    prefix_length INTEGER NOT NULL CHECK (prefix_length IN (0, 24, 48)),
    count INTEGER NOT NULL CHECK (count > 0)
  ) STRICT;
  CREATE INDEX aggregates_network ON aggregates(network, at);
  CREATE INDEX aggregates_at ON aggregates(at);
  `,
};

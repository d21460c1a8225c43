import type { Migration } from './migration.ts';

/**
 * One row per start of a node (issue 15, item 10): what it presented to the network, so an export
 * can say which settings produced its records instead of the export command's own.
 */
export const NODE_RUNS_001: Migration = {
  name: 'node-runs-001',
  sql: `
  CREATE TABLE node_runs (
    id INTEGER PRIMARY KEY,
    started_at INTEGER NOT NULL,   -- ms since the epoch, UTC: when the node was up (listening, trackers started)
    first_seq INTEGER NOT NULL,    -- the evidence log's size then: records from this seq to the next run's first_seq are this run's
    tool_version TEXT NOT NULL,    -- counterseed's package version
    runtime TEXT NOT NULL,         -- e.g. "node v24.21.0"
    settings TEXT NOT NULL,        -- the node's effective settings, JSON
    presented TEXT NOT NULL        -- what it presented: address and port it listened on, its tracker URLs, peer id, decoys served (JSON)
  ) STRICT;
  CREATE INDEX node_runs_first_seq ON node_runs(first_seq);
  `,
};

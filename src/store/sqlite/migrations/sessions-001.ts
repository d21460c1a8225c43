import type { Migration } from './migration.ts';

/**
 * Crash-visible sessions (issue 17, item 5).
 * - session_progress: a session's state while open (phases open, progress, interrupted), chained
 *   like every record, so a kill -9 loses at most the last progress interval of an open session.
 * - unclean_shutdowns: the node's statement, at the start after an unclean stop, of what the log
 *   held and how many sessions were left open.
 * - run_markers: one row per run of a node on this data directory, written once the node holds its
 *   lock and ports, and marked stopped after a clean stop; a row never marked is an unclean stop.
 *   (node_runs, node-runs-001, keeps what a run presented to the network, for exports.)
 *   Bookkeeping, not evidence: what it concludes is written as an unclean-shutdown record.
 * - open_sessions: sessions with an open record and no final record yet, kept in the transaction
 *   that writes those records, so that finding the sessions a dead run left open costs O(open
 *   sessions), not a scan of the run's records (4.7 s per million sessions on the shared machine).
 *   Bookkeeping too: it can be recomputed from the chained records.
 */
export const SESSIONS_001: Migration = {
  name: 'sessions-001',
  sql: `
  CREATE TABLE session_progress (
    id INTEGER PRIMARY KEY,
    session_id TEXT NOT NULL,
    phase TEXT NOT NULL,             -- open | progress | interrupted
    at INTEGER NOT NULL,             -- UTC ms the record was made
    progress_at INTEGER NOT NULL,    -- UTC ms the counters were taken
    decoy_id INTEGER NOT NULL,
    info_hash TEXT NOT NULL,
    remote_ip TEXT NOT NULL,
    remote_port INTEGER NOT NULL,
    local_ip TEXT NOT NULL,
    local_port INTEGER NOT NULL,
    encryption TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    peer_id BLOB NOT NULL,
    client TEXT,
    client_version TEXT,
    listen_port INTEGER,
    bytes_served INTEGER NOT NULL,
    blocks_served INTEGER NOT NULL,
    new_ranges TEXT NOT NULL,        -- ranges served since the previous record (interrupted: all)
    metadata_pieces INTEGER NOT NULL,
    peer_pieces INTEGER
  ) STRICT;
  CREATE INDEX session_progress_session ON session_progress(session_id, id);
  CREATE INDEX session_progress_ip ON session_progress(remote_ip, at);
  CREATE INDEX session_progress_decoy ON session_progress(decoy_id, at);

  CREATE TABLE unclean_shutdowns (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    run_started_at INTEGER NOT NULL,
    run_pid INTEGER NOT NULL,
    last_seq INTEGER,
    last_hash TEXT,
    open_sessions INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE open_sessions (
    session_id TEXT PRIMARY KEY
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE run_markers (
    id INTEGER PRIMARY KEY,
    started_at INTEGER NOT NULL,     -- UTC ms
    pid INTEGER NOT NULL,
    progress_from_id INTEGER NOT NULL, -- session_progress rows of this run have larger ids
    stopped_at INTEGER,              -- set after a clean stop
    recovered_at INTEGER             -- set when a later start recorded this run's unclean stop
  ) STRICT;
  `,
};

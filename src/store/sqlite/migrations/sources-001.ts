import type { Migration } from './migration.ts';

/**
 * Other sources, cross-matching and risk (issue 14 §1-§3). Apart from the evidence tables and never
 * chained: an imported row is what a partner says, a match and a score are assessments.
 */
export const SOURCES_001: Migration = {
  name: 'sources-001',
  sql: `
  CREATE TABLE source_imports (
    id INTEGER PRIMARY KEY AUTOINCREMENT,   -- never reused, also after an abandoned import
    source TEXT NOT NULL,             -- who supplied it
    received_at INTEGER NOT NULL,     -- when they supplied it, UTC ms
    imported_at INTEGER NOT NULL,
    imported_by TEXT NOT NULL,
    file_name TEXT NOT NULL,
    file_sha256 TEXT,                 -- set when complete
    file_bytes INTEGER,
    format TEXT NOT NULL CHECK (format IN ('csv', 'json', 'ndjson')),
    rows INTEGER,
    reliability TEXT NOT NULL CHECK (reliability IN ('A','B','C','D','E','F')),   -- Admiralty source reliability
    credibility INTEGER NOT NULL CHECK (credibility BETWEEN 1 AND 6),             -- Admiralty information credibility
    note TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('loading', 'complete')),
    pid INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE source_records (
    id INTEGER PRIMARY KEY,
    import_id INTEGER NOT NULL REFERENCES source_imports(id),
    line INTEGER NOT NULL,
    ip TEXT NOT NULL,                 -- domain/ip-address.ts spelling
    port INTEGER,
    at INTEGER NOT NULL,              -- UTC ms
    timestamp_text TEXT NOT NULL,     -- as the file wrote it
    timezone TEXT,
    action TEXT NOT NULL,
    file_hash TEXT,
    file_name TEXT,
    reference TEXT NOT NULL,
    peer_id BLOB                      -- 20 bytes (a BitTorrent peer id), compared with deliveries.peer_id
  ) STRICT;
  -- No (ip, at) index: kept up to date row by row it made a 10-million-row import 20x slower than plain
  -- inserts (random B-tree inserts); matching probes deliveries by IP instead, and the source-to-source
  -- pass lets SQLite build a transient (automatic) index once per run.
  CREATE INDEX source_records_import ON source_records(import_id, line);
  CREATE INDEX source_records_peer ON source_records(peer_id) WHERE peer_id IS NOT NULL;

  CREATE TABLE source_match_runs (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    window_ms INTEGER NOT NULL,
    deliveries_up_to INTEGER NOT NULL,
    imports TEXT NOT NULL,            -- comma-separated source_imports ids
    matches INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE source_matches (
    run_id INTEGER NOT NULL REFERENCES source_match_runs(id),
    rule TEXT NOT NULL,
    source_record_id INTEGER NOT NULL,
    other_kind TEXT NOT NULL CHECK (other_kind IN ('delivery', 'source')),
    other_id INTEGER NOT NULL,
    ip TEXT NOT NULL,                 -- our side's IP (the delivery's, or the shared one)
    delta_ms INTEGER NOT NULL,
    peer_id_continuity TEXT NOT NULL CHECK (peer_id_continuity IN ('same', 'different', 'unknown'))
  ) STRICT;
  CREATE INDEX source_matches_run ON source_matches(run_id, source_record_id);
  CREATE INDEX source_matches_ip ON source_matches(run_id, ip);

  CREATE TABLE risk_runs (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    weights_version TEXT NOT NULL,
    weights TEXT NOT NULL,            -- canonical name=weight,... as scored
    deliveries_up_to INTEGER NOT NULL,
    match_run_id INTEGER REFERENCES source_match_runs(id),
    ips INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE risk_scores (
    run_id INTEGER NOT NULL REFERENCES risk_runs(id),
    ip TEXT NOT NULL,
    score REAL NOT NULL,
    deliveries INTEGER NOT NULL,
    decoys INTEGER NOT NULL,
    completions INTEGER NOT NULL,
    days_active INTEGER NOT NULL,
    persistence_days INTEGER NOT NULL,
    returns_after_warning INTEGER NOT NULL,
    source_matches INTEGER NOT NULL,
    extra_networks INTEGER NOT NULL,
    first_warning_at INTEGER,
    PRIMARY KEY (run_id, ip)
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX risk_scores_rank ON risk_scores(run_id, score DESC);

  -- A score is a draft until a person reviews it (no automated decision); reviews are only added.
  CREATE TABLE risk_reviews (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL,
    ip TEXT NOT NULL,
    reviewed_by TEXT NOT NULL,
    reason TEXT NOT NULL,
    at INTEGER NOT NULL,
    FOREIGN KEY (run_id, ip) REFERENCES risk_scores(run_id, ip)
  ) STRICT;
  CREATE INDEX risk_reviews_score ON risk_reviews(run_id, ip);
  `,
};

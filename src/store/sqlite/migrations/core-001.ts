import type { Migration } from './migration.ts';

/**
 * Core evidence schema. Storage budget: tens of millions of deliveries at ~1 KB each, so
 * per-block activity is kept only as coalesced ranges and the peer id as 20 raw bytes.
 */
export const CORE_001: Migration = {
  name: 'core-001',
  sql: `
  CREATE TABLE payloads (
    id TEXT PRIMARY KEY,             -- SHA-256 hex of the bytes
    size INTEGER NOT NULL,
    label TEXT NOT NULL,
    media_type TEXT NOT NULL,
    added_at INTEGER NOT NULL        -- UTC ms
  ) STRICT;

  CREATE TABLE decoys (
    id INTEGER PRIMARY KEY,
    info_hash TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    payload_id TEXT NOT NULL REFERENCES payloads(id),
    size INTEGER NOT NULL,
    piece_length INTEGER NOT NULL,
    piece_count INTEGER NOT NULL,
    info BLOB NOT NULL,              -- exact bencoded info dict (SHA-1 = info_hash)
    content_sha256 TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'retired')),
    created_at INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX decoys_status ON decoys(status);

  CREATE TABLE deliveries (
    id INTEGER PRIMARY KEY,
    session_id TEXT NOT NULL UNIQUE,
    decoy_id INTEGER NOT NULL REFERENCES decoys(id),
    remote_ip TEXT NOT NULL,
    remote_port INTEGER NOT NULL,
    local_ip TEXT NOT NULL,
    local_port INTEGER NOT NULL,
    transport TEXT NOT NULL,
    encryption TEXT NOT NULL,
    started_at INTEGER NOT NULL,     -- UTC ms
    ended_at INTEGER NOT NULL,
    peer_id BLOB NOT NULL,
    client TEXT,
    client_version TEXT,
    listen_port INTEGER,
    bytes_served INTEGER NOT NULL,
    blocks_served INTEGER NOT NULL,
    served_ranges TEXT NOT NULL,     -- "start-end,start-end" half-open byte ranges
    pieces_at_start INTEGER,
    pieces_at_end INTEGER,
    completed INTEGER NOT NULL,
    metadata_pieces INTEGER NOT NULL,
    metadata_only INTEGER NOT NULL,
    disconnect_reason TEXT NOT NULL
  ) STRICT;
  CREATE INDEX deliveries_ip ON deliveries(remote_ip, started_at);
  CREATE INDEX deliveries_decoy ON deliveries(decoy_id, started_at);
  CREATE INDEX deliveries_started ON deliveries(started_at);

  CREATE TABLE tracker_announces (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    protocol TEXT NOT NULL,
    info_hash TEXT NOT NULL,
    decoy_id INTEGER,
    remote_ip TEXT NOT NULL,
    remote_port INTEGER NOT NULL,
    claimed_ip TEXT,
    announced_port INTEGER NOT NULL,
    peer_id BLOB NOT NULL,
    event TEXT NOT NULL,
    uploaded INTEGER NOT NULL,
    downloaded INTEGER NOT NULL,
    left_bytes INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX announces_ip ON tracker_announces(remote_ip, at);
  CREATE INDEX announces_hash ON tracker_announces(info_hash, at);

  CREATE TABLE rejected_connections (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    remote_ip TEXT NOT NULL,
    remote_port INTEGER NOT NULL,
    info_hash TEXT,
    reason TEXT NOT NULL
  ) STRICT;

  CREATE TABLE counters (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
  ) STRICT;
  `,
};

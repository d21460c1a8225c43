import type { Migration } from './migration.ts';

/**
 * Decoy factory (issue 3): what recomputes a decoy's bytes (per file: variant, size,
 * 32-byte nonce; O(metadata), about 100 bytes a file), the registered variants of each
 * payload with the decoder that checked them, and campaigns with their name rows.
 */
export const DECOY_FACTORY_001: Migration = {
  name: 'decoy-factory-001',
  sql: `
  CREATE TABLE decoy_files (
    decoy_id INTEGER NOT NULL REFERENCES decoys(id),
    idx INTEGER NOT NULL,             -- file order in the torrent (BEP 3 content order)
    variant_id TEXT NOT NULL REFERENCES payloads(id),
    format TEXT NOT NULL,             -- padding layout, e.g. mp4, zip
    size INTEGER NOT NULL,
    nonce BLOB NOT NULL,
    path TEXT,                        -- JSON list of path components; NULL for single-file decoys
    PRIMARY KEY (decoy_id, idx)
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX decoy_files_size ON decoy_files(variant_id, size);

  CREATE TABLE payload_variants (
    source_id TEXT NOT NULL REFERENCES payloads(id),
    format TEXT NOT NULL,
    variant_id TEXT NOT NULL REFERENCES payloads(id),
    checked_by TEXT NOT NULL,         -- the decoder command that accepted it
    checked_at INTEGER NOT NULL,      -- UTC ms
    PRIMARY KEY (source_id, format)
  ) STRICT;

  CREATE TABLE campaigns (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    per_day INTEGER NOT NULL,
    ttl_days INTEGER NOT NULL,
    payload_id TEXT REFERENCES payloads(id), -- NULL: by the row's language, else the default
    hybrid INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE campaign_items (
    id INTEGER PRIMARY KEY,
    campaign_id INTEGER NOT NULL REFERENCES campaigns(id),
    seq INTEGER NOT NULL,             -- release order (first line of the item in the CSV)
    name TEXT NOT NULL,               -- torrent name: the file, or the folder of a multi-file item
    files TEXT NOT NULL,              -- JSON [{path, size}] (path null for single-file)
    lang TEXT,
    decoy_id INTEGER REFERENCES decoys(id),
    released_at INTEGER,              -- UTC ms
    UNIQUE (campaign_id, seq)
  ) STRICT;
  CREATE INDEX campaign_items_pending ON campaign_items(campaign_id, decoy_id, seq);
  `,
};

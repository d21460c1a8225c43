import type { Migration } from './migration.ts';

/**
 * Intelligence (issue 11). Nothing here is evidence and nothing here is chained: enrichment is an
 * assessment, kept in its own tables keyed by IP and time, and a re-enrichment adds rows (history)
 * instead of changing old ones. The intel_ip_* tables are rollups that `refreshIntel` extends from
 * a high-water mark on deliveries and announces; they can be dropped and rebuilt from the records.
 */
export const INTEL_001: Migration = {
  name: 'intel-001',
  sql: `
  -- What this data directory holds. 'synthetic' data (counterseed synth) is never evidence.
  CREATE TABLE data_purpose (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    purpose TEXT NOT NULL CHECK (purpose IN ('evidence', 'lab', 'synthetic')),
    note TEXT NOT NULL,
    set_at INTEGER NOT NULL           -- UTC ms
  ) STRICT;

  -- Every database an assessment used, by the SHA-256 of its exact bytes.
  CREATE TABLE geo_databases (
    sha256 TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('city', 'asn', 'boundaries')),
    build_date TEXT NOT NULL,         -- UTC ISO
    source TEXT NOT NULL,
    first_used_at INTEGER NOT NULL    -- UTC ms
  ) STRICT;

  -- Dense ids for addresses, so rollups store 8 bytes instead of the address text.
  CREATE TABLE intel_ips (
    ip_id INTEGER PRIMARY KEY,
    ip TEXT NOT NULL UNIQUE
  ) STRICT;

  -- Enrichment history: one row per address per assessment, never updated.
  CREATE TABLE ip_enrichment (
    id INTEGER PRIMARY KEY,
    ip_id INTEGER NOT NULL REFERENCES intel_ips(ip_id),
    enriched_at INTEGER NOT NULL,     -- UTC ms
    placeable INTEGER NOT NULL,
    not_placeable TEXT,
    country TEXT, region TEXT, city TEXT, latitude REAL, longitude REAL,
    county_no TEXT, county_name TEXT, municipality_no TEXT, municipality_name TEXT, municipality_method TEXT,
    asn INTEGER, as_org TEXT,
    caveats TEXT NOT NULL,            -- comma-separated NetworkCaveat values
    databases TEXT NOT NULL           -- comma-separated geo_databases.sha256
  ) STRICT;
  CREATE INDEX ip_enrichment_ip ON ip_enrichment(ip_id, enriched_at);

  -- The latest assessment per address (a pointer into the history), for group-bys.
  CREATE TABLE intel_ip_geo (
    ip_id INTEGER PRIMARY KEY REFERENCES intel_ips(ip_id),
    enrichment_id INTEGER NOT NULL REFERENCES ip_enrichment(id),
    placeable INTEGER NOT NULL,
    country TEXT, county_no TEXT, county_name TEXT, municipality_no TEXT, municipality_name TEXT, asn INTEGER, as_org TEXT,
    caveats TEXT NOT NULL
  ) STRICT;

  -- Weeks (Monday 00:00 UTC, as days since 1970-01-01) in which an address had a non-metadata-only delivery.
  CREATE TABLE intel_ip_week (
    week_day INTEGER NOT NULL,
    ip_id INTEGER NOT NULL,
    PRIMARY KEY (week_day, ip_id)
  ) STRICT, WITHOUT ROWID;

  -- Per address: first and last activity (deliveries and announces), first exposure (completed
  -- delivery) and first unexposed contact, with the decoy of each. Cohorts read only this table.
  CREATE TABLE intel_ip_activity (
    ip_id INTEGER PRIMARY KEY,
    first_seen INTEGER NOT NULL,
    last_seen INTEGER NOT NULL,
    first_exposure_at INTEGER, first_exposure_decoy INTEGER,
    first_contact_at INTEGER, first_contact_decoy INTEGER
  ) STRICT;

  CREATE TABLE intel_watermarks (
    name TEXT PRIMARY KEY,            -- 'deliveries' | 'announces'
    last_id INTEGER NOT NULL
  ) STRICT;

  -- A decoy's analysis dimensions: campaign, language, format, network, publication and retirement.
  CREATE VIEW intel_decoy_dims AS
    SELECT k.id AS decoy_id, ci.campaign_id AS campaign_id, ci.lang AS lang,
      (SELECT f.format FROM decoy_files f WHERE f.decoy_id = k.id AND f.idx = 0) AS format,
      'bittorrent' AS network,
      COALESCE(ci.released_at, k.created_at) AS published_at,
      CASE WHEN c.ttl_days IS NOT NULL AND ci.released_at IS NOT NULL THEN ci.released_at + c.ttl_days * 86400000 END AS retires_at,
      k.status AS status
    FROM decoys k LEFT JOIN campaign_items ci ON ci.decoy_id = k.id LEFT JOIN campaigns c ON c.id = ci.campaign_id;
  `,
};

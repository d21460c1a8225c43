import type { Migration } from './migration.ts';

/**
 * Measures and cases (issue 14 parts 4 and 5). Operator-edited tables (which agency receives
 * referrals for a country; how long ISPs keep subscriber records, with the source of that figure),
 * what was referred (package hash, agency, time), and a light case register. Nothing here is
 * evidence and nothing here is chained: a referral package carries its evidence with its own proofs.
 */
export const REFERRALS_001: Migration = {
  name: 'referrals-001',
  sql: `
  -- Receiving agency per country (ISO 3166-1 alpha-2). Edited by the operator (referrals agencies).
  CREATE TABLE jurisdiction_agency (
    country TEXT PRIMARY KEY CHECK (length(country) = 2),
    agency TEXT NOT NULL CHECK (length(agency) > 0),
    contact TEXT NOT NULL DEFAULT '',
    updated_at INTEGER NOT NULL      -- UTC ms
  ) STRICT;

  -- How long ISPs keep the records that map an address to a subscriber. asn = 0 is the country's
  -- rule for every ISP (AS 0 is never an origin AS, RFC 7607); a row with an ASN overrides it.
  CREATE TABLE retention_rule (
    country TEXT NOT NULL CHECK (length(country) = 2),
    asn INTEGER NOT NULL CHECK (asn >= 0),
    days INTEGER NOT NULL CHECK (days > 0),
    source TEXT NOT NULL CHECK (length(source) > 0),
    updated_at INTEGER NOT NULL,     -- UTC ms
    PRIMARY KEY (country, asn)
  ) STRICT;

  -- One built referral package: its agency and the SHA-256 of its signed referral.json.
  CREATE TABLE referral_package (
    id INTEGER PRIMARY KEY,
    agency TEXT NOT NULL,
    created_at INTEGER NOT NULL,     -- UTC ms
    sha256 TEXT NOT NULL,
    path TEXT NOT NULL,
    ips INTEGER NOT NULL
  ) STRICT;

  -- An address referred in a package, and the last delivery the package covers: a later delivery is not referred yet.
  CREATE TABLE referral_ip (
    package_id INTEGER NOT NULL REFERENCES referral_package(id),
    ip TEXT NOT NULL,
    covered_to INTEGER NOT NULL,     -- UTC ms: start of the last delivery in the package
    PRIMARY KEY (ip, package_id)
  ) STRICT;

  CREATE TABLE case_register (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at INTEGER NOT NULL
  ) STRICT;

  -- What a case links to: an address, an evidence record (log seq), a source (free reference), or a saved export filter (evidence_cases.name).
  CREATE TABLE case_link (
    case_id TEXT NOT NULL REFERENCES case_register(id),
    kind TEXT NOT NULL CHECK (kind IN ('ip', 'record', 'source', 'export')),
    ref TEXT NOT NULL,
    added_at INTEGER NOT NULL,
    PRIMARY KEY (case_id, kind, ref)
  ) STRICT;

  -- Notes and status changes, appended, never edited.
  CREATE TABLE case_entry (
    id INTEGER PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES case_register(id),
    at INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('note', 'status')),
    text TEXT NOT NULL
  ) STRICT;
  CREATE INDEX case_entry_case ON case_entry(case_id, id);
  `,
};

import type { Migration } from './migration.ts';

/**
 * Web app governance (issue 13 §3-§6): accounts (argon2id hashes), sessions (token hashes only),
 * the hash-chained access log (LED Art. 25) and four-eyes requests.
 */
export const WEB_001: Migration = {
  name: 'web-001',
  sql: `
  CREATE TABLE web_accounts (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL CHECK (role IN ('operator','analyst','supervisor','auditor','admin')),
    password_hash TEXT NOT NULL,
    totp_secret TEXT,
    disabled INTEGER NOT NULL DEFAULT 0,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until INTEGER,
    created_at INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE web_sessions (
    token_hash TEXT PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES web_accounts(id),
    csrf_token TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX web_sessions_account ON web_sessions(account_id);

  CREATE TABLE web_access_log (
    seq INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    user TEXT NOT NULL,
    action TEXT NOT NULL,
    what TEXT NOT NULL,
    purpose TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
  ) STRICT;

  CREATE TABLE web_requests (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    requested_by INTEGER NOT NULL REFERENCES web_accounts(id),
    requested_at INTEGER NOT NULL,
    params TEXT NOT NULL,
    purpose TEXT NOT NULL,
    status TEXT NOT NULL,
    decided_by INTEGER REFERENCES web_accounts(id),
    decided_at INTEGER,
    result TEXT
  ) STRICT;
  `,
};

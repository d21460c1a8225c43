import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { it } from 'node:test';
import { SqliteGovernanceStore } from '../../../src/store/sqlite/governance-store.ts';
import { MIGRATIONS } from '../../../src/store/sqlite/schema.ts';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.ts';

/** A database at the version before web-002, with one TOTP account (secret 'ABC', one failed login). */
function previousVersion(path: string): void {
  const db = new DatabaseSync(path);
  try {
    db.exec('CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL) STRICT');
    for (const m of MIGRATIONS.slice(0, MIGRATIONS.findIndex((x) => x.name === 'web-002'))) {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations VALUES (?, 1)').run(m.name);
    }
    db.exec("INSERT INTO web_accounts (username, role, password_hash, totp_secret, failed_logins, created_at) VALUES ('tina', 'auditor', 'h', 'ABC', 1, 5)");
  } finally { db.close(); }
}

// ASVS 2.8.4 (TOTP replay): an existing data directory's accounts get totp_last_step, NULL (no code used
// yet: their next code is accepted), and keep everything else; then a step is used once.
for (const opener of ['the SQLite store', 'the governance store alone (users add before any other command)']) {
  it(`web-002 from the previous version, opened by ${opener}: accounts kept, no step used yet, then each step once`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cs-web002-'));
    const path = join(dir, 'counterseed.db');
    try {
      previousVersion(path);
      const store = opener === 'the SQLite store' ? new SqliteStore(path) : undefined;
      const gov = new SqliteGovernanceStore(path);
      try {
        const a = gov.accounts.byName('tina')!;
        assert.deepEqual([a.totpSecret, a.failedLogins, a.createdAt, a.totpLastStep], ['ABC', 1, 5, null]);
        assert.deepEqual([gov.accounts.useTotpStep(a.id, 7), gov.accounts.useTotpStep(a.id, 7)], [true, false]);
        assert.equal(gov.database.prepare("SELECT COUNT(*) AS n FROM schema_migrations WHERE name = 'web-002'").get()!.n, 1, 'applied once');
      } finally { gov.close(); await store?.close(); }
      // Opened again (either way): nothing applied twice.
      const again = new SqliteStore(path);
      await again.close();
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });
}

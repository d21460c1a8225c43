import { DatabaseSync } from 'node:sqlite';
import type { AccessLogTable, AccountCatalog, ApprovalCatalog, GovernanceStore, LegalHoldCatalog, SessionCatalog } from '../governance.ts';
import { GovernanceTables } from './governance-tables.ts';
import { RETENTION_001 } from './migrations/retention-001.ts';
import { WEB_001 } from './migrations/web-001.ts';
import { WEB_002 } from './migrations/web-002.ts';

/**
 * Governance tables in the data directory's counterseed.db, on a connection of their own (the web
 * server's process). The SQL is governance-tables.ts, shared with the PostgreSQL store.
 */
export class SqliteGovernanceStore implements GovernanceStore {
  readonly #db: DatabaseSync;
  readonly #owns: boolean;
  readonly accounts: AccountCatalog;
  readonly sessions: SessionCatalog;
  readonly accessLog: AccessLogTable;
  readonly approvals: ApprovalCatalog;
  readonly holds: LegalHoldCatalog;

  /** `db`: a path (a connection of its own) or an open connection (tests, a store's `database`). */
  constructor(db: string | DatabaseSync) {
    this.#owns = typeof db === 'string';
    this.#db = typeof db === 'string' ? new DatabaseSync(db) : db;
    if (this.#owns) this.#db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;');
    // The SQLite store applies web-001 and web-002 with every migration; a bare connection (tests) applies them here.
    this.#db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL) STRICT');
    for (const m of [WEB_001, RETENTION_001, WEB_002]) {
      if (this.#db.prepare('SELECT 1 FROM schema_migrations WHERE name = ?').get(m.name) === undefined) {
        this.#tx(() => { this.#db.exec(m.sql); this.#db.prepare('INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)').run(m.name, Date.now()); });
      }
    }
    const t = new GovernanceTables(this.#db, { transaction: (fn) => this.#tx(fn) });
    ({ accounts: this.accounts, sessions: this.sessions, accessLog: this.accessLog, approvals: this.approvals, holds: this.holds } = t);
  }

  #tx<T>(fn: () => T): T {
    this.#db.exec('BEGIN IMMEDIATE');
    try { const r = fn(); this.#db.exec('COMMIT'); return r; } catch (e) { this.#db.exec('ROLLBACK'); throw e; }
  }

  /** For tests of tamper detection only: the raw connection. */
  get database(): DatabaseSync { return this.#db; }

  close(): void { if (this.#owns) this.#db.close(); }
}

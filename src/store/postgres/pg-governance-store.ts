import type { AccessLogTable, AccountCatalog, ApprovalCatalog, GovernanceStore, LegalHoldCatalog, SessionCatalog } from '../governance.ts';
import { GovernanceTables } from '../sqlite/governance-tables.ts';
import { migrate } from './migrate.ts';
import { PgDatabase } from './pg-database.ts';
import { SyncConnection } from './sync-connection.ts';

export interface PgGovernanceOptions {
  /** postgres://user@host:port/database: the same database as the store (`--store`). */
  readonly url: string;
  /** The store's schema, when it keeps its tables in one (tests). */
  readonly schema?: string;
}

/**
 * The governance tables (accounts, sessions, access log, four-eyes requests, legal holds) in the
 * PostgreSQL store's database (pg-web-001, pg-retention-002), on a connection of their own as the
 * SQLite one has (the web server's process). The SQL is the SQLite store's, governance-tables.ts.
 */
export class PgGovernanceStore implements GovernanceStore {
  readonly #conn: SyncConnection;
  readonly #pg: PgDatabase;
  readonly accounts: AccountCatalog;
  readonly sessions: SessionCatalog;
  readonly accessLog: AccessLogTable;
  readonly approvals: ApprovalCatalog;
  readonly holds: LegalHoldCatalog;

  constructor(opts: PgGovernanceOptions) {
    this.#conn = new SyncConnection(opts.url, opts.schema);
    try {
      if (opts.schema !== undefined) this.#conn.query(`CREATE SCHEMA IF NOT EXISTS "${opts.schema.replace(/"/g, '""')}"`);
      // Every migration, as the store applies them (one list, under an advisory lock): a `users add`
      // before any other command leaves the database at the same version as the store would.
      migrate(this.#conn);
    } catch (e) { void this.#conn.close(); throw e; }
    this.#pg = new PgDatabase(this.#conn);
    this.#pg.learnShape();
    const t = new GovernanceTables(this.#pg.asSqlite(), {
      transaction: (fn) => this.#pg.transaction(fn),
      // Read committed lets two appenders read the same last entry: the lock makes the second wait
      // for the first's commit, so the chain never forks. Readers (SELECT) are not blocked by it.
      lockAccessLog: 'LOCK TABLE web_access_log IN SHARE ROW EXCLUSIVE MODE',
    });
    ({ accounts: this.accounts, sessions: this.sessions, accessLog: this.accessLog, approvals: this.approvals, holds: this.holds } = t);
  }

  /** For tests of tamper detection only: the connection as the shared modules take it. */
  get database(): ReturnType<PgDatabase['asSqlite']> { return this.#pg.asSqlite(); }

  close(): void { void this.#conn.close(); }
}

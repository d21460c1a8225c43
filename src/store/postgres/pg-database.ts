import type { DatabaseSync } from 'node:sqlite';
import type { BatchCapabilities } from '../sqlite/sources/batch-cache.ts';
import { translate, type TableShape, type Translated } from './dialect.ts';
import { PgError, type SyncConnection } from './sync-connection.ts';

type Params = readonly unknown[];

/**
 * What a batch over the facade may not tune (sqlite/sources/batch-cache.ts): PostgreSQL's page cache
 * is the server's (shared_buffers), not the connection's, and the bulk tables have no foreign keys
 * (pg-sources-001).
 */
export const PG_BATCH: BatchCapabilities = { pageCache: false, foreignKeyChecks: false };

/** Named prepared statements per connection, and distinct statement texts remembered to find the repeated ones. */
const MAX_NAMED = 64;
const MAX_SEEN = 1024;
const MAX_SQL = 16_000;

/** What node:sqlite's StatementSync offers that the store's feature modules use. */
export class PgStatement {
  readonly #db: PgDatabase;
  readonly #sql: Translated;
  #arrays = false;

  constructor(db: PgDatabase, sql: Translated) { this.#db = db; this.#sql = sql; }

  setReturnArrays(on: boolean): void { this.#arrays = on; }

  /** Named parameters (dialect.ts rule 8) come as one object, keyed with or without the `:`, as node:sqlite takes them. */
  #bind(params: Params): Params {
    const names = this.#sql.names;
    if (names === undefined) return params;
    const o = params[0];
    if (params.length !== 1 || o === null || typeof o !== 'object' || o instanceof Uint8Array) throw new Error(`named parameters (${names.join(', ')}) are bound from one object`);
    const byName = o as Record<string, unknown>;
    return names.map((n) => {
      const v = n in byName ? byName[n] : byName[`:${n}`];
      if (v === undefined) throw new Error(`no value for the named parameter :${n}`);
      return v;
    });
  }

  run(...params: Params): { changes: number; lastInsertRowid: number } {
    const r = this.#db.query(this.#sql.sql, this.#bind(params), false);
    const last = r.rows.at(-1) as { id?: number } | undefined;
    return { changes: r.rowCount, lastInsertRowid: this.#sql.returnsId && last ? Number(last.id) : 0 };
  }

  get(...params: Params): unknown { return this.#db.query(this.#sql.sql, this.#bind(params), this.#arrays).rows[0]; }
  all(...params: Params): unknown[] { return this.#db.query(this.#sql.sql, this.#bind(params), this.#arrays).rows; }
  *iterate(...params: Params): IterableIterator<unknown> { yield* this.all(...params); }
}

/**
 * node:sqlite's DatabaseSync, as far as src/store/sqlite/'s feature modules use it, over a
 * synchronous PostgreSQL connection and the dialect rules of dialect.ts. It lets the PostgreSQL
 * store share those modules (one copy of the evidence log's SQL, not two drifting apart).
 */
export class PgDatabase {
  readonly #conn: SyncConnection;
  #shape: TableShape = { withId: new Set(), keys: new Map() };
  #inTx = false;

  constructor(conn: SyncConnection) { this.#conn = conn; }

  /** Reads which tables have an `id` column and their primary keys (after migrations). */
  learnShape(): void {
    const withId = new Set((this.#conn.query(`SELECT DISTINCT table_name FROM information_schema.columns
      WHERE table_schema = current_schema() AND column_name = 'id'`).rows as { table_name: string }[]).map((r) => r.table_name));
    const keys = new Map<string, string[]>();
    const rows = this.#conn.query(`SELECT tc.table_name, kcu.column_name FROM information_schema.table_constraints tc
      JOIN information_schema.key_column_usage kcu ON kcu.constraint_name = tc.constraint_name AND kcu.table_schema = tc.table_schema
      WHERE tc.table_schema = current_schema() AND tc.constraint_type = 'PRIMARY KEY' ORDER BY tc.table_name, kcu.ordinal_position`).rows as { table_name: string; column_name: string }[];
    for (const r of rows) keys.set(r.table_name, [...(keys.get(r.table_name) ?? []), r.column_name]);
    this.#shape = { withId, keys };
  }

  get isOpen(): boolean { return this.#conn.isOpen; }
  get isTransaction(): boolean { return this.#inTx; }

  query(sql: string, params: Params, arrays: boolean): { rows: unknown[]; rowCount: number } {
    return this.#conn.query(sql, params, arrays, this.#nameFor(sql));
  }

  /**
   * Statements run a second time become named prepared statements (at most
   * MAX_NAMED per connection): PostgreSQL then parses them once, and keeps a generic plan when it
   * is as good. Planning is most of a dossier's cost on the month-partitioned record tables:
   * 10-70 ms of planning against ~1 ms of execution for its records statement at 4 million
   * deliveries, load ~24 (issue 11: dossier p95 <= 50 ms).
   */
  readonly #seen = new Set<string>();
  readonly #named = new Map<string, string>();
  #nameFor(sql: string): string | undefined {
    // A ';' may separate two statements, which a prepared statement cannot hold.
    if (sql.length > MAX_SQL || sql.includes(';')) return undefined;
    const name = this.#named.get(sql);
    if (name !== undefined || this.#named.size >= MAX_NAMED) return name;
    if (!this.#seen.has(sql)) {
      if (this.#seen.size < MAX_SEEN) this.#seen.add(sql);
      return undefined;
    }
    const made = `cs_${this.#named.size}`;
    this.#named.set(sql, made);
    return made;
  }

  prepare(sql: string): PgStatement { return new PgStatement(this, translate(sql, this.#shape)); }

  /** Runs statements without parameters (`;`-separated, as SQLite's exec); tracks the transaction state. */
  exec(sql: string): void {
    for (const part of sql.split(';').map((s) => s.trim()).filter(Boolean)) {
      const t = translate(part, this.#shape);
      if (t.sql === '') continue;
      const verb = t.sql.split(/\s/)[0]!.toUpperCase();
      try {
        const r = this.#conn.query(t.sql);
        // A COMMIT of a transaction in which a statement failed is a ROLLBACK in PostgreSQL, silently:
        // SQLite would have committed the statements that succeeded. Never let that pass as a commit.
        if (verb === 'COMMIT' && r.command === 'ROLLBACK') throw new PgError('the transaction was rolled back: a statement in it failed', '25P02');
      } finally {
        if (verb === 'BEGIN') this.#inTx = true;
        if (verb === 'COMMIT' || verb === 'ROLLBACK' || verb === 'END') this.#inTx = false;
      }
    }
  }

  /** Runs `fn` in one transaction; a throw rolls it back (and is the error the caller sees). */
  transaction<T>(fn: () => T): T {
    this.exec('BEGIN');
    try {
      const r = fn();
      this.exec('COMMIT');
      return r;
    } catch (e) {
      if (this.#inTx) {
        try { this.exec('ROLLBACK'); } catch { /* `e` is the error that matters */ }
      }
      throw e;
    }
  }

  /** The facade, typed as the modules expect it: they use only what PgDatabase implements. */
  asSqlite(): DatabaseSync { return this as unknown as DatabaseSync; }

  close(): void { /* the store closes the connection */ }
}

export { PgError };

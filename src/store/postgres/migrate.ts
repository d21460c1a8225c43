import { PARTITIONED_TABLES, PG_MIGRATIONS } from './migrations/index.ts';
import type { PgMigration } from './migrations/migration.ts';
import type { SyncConnection } from './sync-connection.ts';

/** Any 64-bit number, the same in every process that migrates this database: one migrator at a time. */
const MIGRATION_LOCK = 0x636f756e74657273n; // "counters"

/**
 * Applies the migrations not yet applied, in order, each in its own transaction, under an advisory
 * lock (two processes opening one database at once migrate it once). Tests pass a prefix of the list
 * to make a database at the previous version.
 */
export function migrate(conn: SyncConnection, migrations: readonly PgMigration[] = PG_MIGRATIONS): string[] {
  conn.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK.toString()]);
  try {
    conn.query('CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at bigint NOT NULL)');
    const applied = new Set((conn.query('SELECT name FROM schema_migrations').rows as { name: string }[]).map((r) => r.name));
    const done: string[] = [];
    for (const m of migrations) {
      if (applied.has(m.name)) continue;
      conn.query('BEGIN');
      try {
        conn.query(m.sql);
        conn.query('INSERT INTO schema_migrations (name, applied_at) VALUES ($1, $2)', [m.name, Date.now()]);
        conn.query('COMMIT');
      } catch (e) {
        conn.query('ROLLBACK');
        throw new Error(`PostgreSQL migration ${m.name} failed: ${(e as Error).message}`);
      }
      done.push(m.name);
    }
    return done;
  } finally { conn.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK.toString()]); }
}

const MONTH_MS = 31 * 86_400_000;

/** Creates the month partitions of `now` and of the month after it, for every partitioned observation table. */
export function ensureMonths(conn: SyncConnection, now: number): void {
  for (const t of PARTITIONED_TABLES) for (const at of [now, now + MONTH_MS]) conn.query('SELECT cs_ensure_month_partition($1, $2)', [t, at]);
}

/**
 * A named, versioned schema step of the PostgreSQL store, applied in order and recorded in
 * schema_migrations, each in its own transaction. Never edited once shipped: add a new one.
 * Names mirror the SQLite store's concerns (src/store/sqlite/migrations/); a SQLite migration that
 * adds a column or a table needs its PostgreSQL twin here (the shared contract suite shows a miss).
 */
export interface PgMigration {
  readonly name: string;
  readonly sql: string;
}

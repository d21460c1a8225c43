import type { DatabaseSync } from 'node:sqlite';

/**
 * SQLite page cache for one set-based batch statement over millions of rows (a match run, the risk
 * rollup's fill): the store's everyday 16 MiB is a small part of the deliveries index and of the
 * index being written, so every random probe or insert went to the OS for its pages. 256 MiB for the
 * length of `fn`, then back to what it was. One-shot CLI runs only; the memory is given back after.
 */
const BATCH_CACHE_KIB = 256 * 1024;

export function withBatchCache<T>(db: DatabaseSync, fn: () => T): T {
  const row = db.prepare('PRAGMA cache_size').get();
  // The PostgreSQL facade (store/postgres/pg-database.ts) answers no PRAGMA: its cache is the server's.
  if (row === undefined) return fn();
  const before = Number(Object.values(row)[0]);
  db.exec(`PRAGMA cache_size = ${-BATCH_CACHE_KIB}`);
  try { return fn(); } finally { db.exec(`PRAGMA cache_size = ${before}`); }
}

/**
 * Foreign-key checks off for the length of `fn`, a batch whose every row references a parent it has
 * just inserted itself in the same transaction (a match run's rows name the run it created): the check
 * was a lookup per row, 1.4 of 16 s of CPU for 4.6 million matches (bench/match.bench.ts, 10,000,000
 * deliveries). SQLite ignores the pragma inside a transaction, so `fn` opens its own; back on after.
 */
export function withoutForeignKeyChecks<T>(db: DatabaseSync, fn: () => T): T {
  const row = db.prepare('PRAGMA foreign_keys').get();
  // The PostgreSQL facade answers no PRAGMA (its bulk tables have no foreign keys: pg-sources-001).
  if (row === undefined || Number(Object.values(row)[0]) === 0) return fn();
  if (db.isTransaction) throw new Error('withoutForeignKeyChecks: called inside a transaction, where SQLite ignores the pragma');
  db.exec('PRAGMA foreign_keys = OFF');
  try { return fn(); } finally { db.exec('PRAGMA foreign_keys = ON'); }
}

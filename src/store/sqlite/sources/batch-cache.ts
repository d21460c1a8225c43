import type { DatabaseSync } from 'node:sqlite';

/**
 * What a store has that one set-based batch statement over millions of rows (a match run, the risk
 * rollup's fill) may tune for its length. Said by the store that passes it (sqlite-store.ts, and
 * postgres/pg-database.ts for the PostgreSQL facade), never guessed from how it answers a PRAGMA.
 */
export interface BatchCapabilities {
  /** A page cache of the connection's own to size (SQLite); PostgreSQL's is the server's. */
  readonly pageCache: boolean;
  /** Foreign keys checked row by row, which a batch may turn off (SQLite). */
  readonly foreignKeyChecks: boolean;
}

export const SQLITE_BATCH: BatchCapabilities = { pageCache: true, foreignKeyChecks: true };

/**
 * SQLite page cache for one batch: the store's everyday 16 MiB is a small part of the deliveries
 * index and of the index being written, so every random probe or insert went to the OS for its pages.
 * 256 MiB for the length of `fn`, then back to what it was. One-shot CLI runs only; the memory is
 * given back after.
 */
const BATCH_CACHE_KIB = 256 * 1024;

export function withBatchCache<T>(db: DatabaseSync, has: BatchCapabilities, fn: () => T): T {
  if (!has.pageCache) return fn();
  const before = Number(Object.values(db.prepare('PRAGMA cache_size').get()!)[0]);
  db.exec(`PRAGMA cache_size = ${-BATCH_CACHE_KIB}`);
  try { return fn(); } finally { db.exec(`PRAGMA cache_size = ${before}`); }
}

/**
 * Foreign-key checks off for the length of `fn`, a batch whose every row references a parent it has
 * just inserted itself in the same transaction (a match run's rows name the run it created): the check
 * was a lookup per row, 1.4 of 16 s of CPU for 4.6 million matches (bench/match.bench.ts, 10,000,000
 * deliveries). SQLite ignores the pragma inside a transaction, so `fn` opens its own; back on after.
 */
export function withoutForeignKeyChecks<T>(db: DatabaseSync, has: BatchCapabilities, fn: () => T): T {
  if (!has.foreignKeyChecks || Number(Object.values(db.prepare('PRAGMA foreign_keys').get()!)[0]) === 0) return fn();
  if (db.isTransaction) throw new Error('withoutForeignKeyChecks: called inside a transaction, where SQLite ignores the pragma');
  db.exec('PRAGMA foreign_keys = OFF');
  try { return fn(); } finally { db.exec('PRAGMA foreign_keys = ON'); }
}

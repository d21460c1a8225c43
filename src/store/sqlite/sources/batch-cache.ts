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

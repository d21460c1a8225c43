import type { DatabaseSync } from 'node:sqlite';

/**
 * SQLite page cache for one set-based batch statement over millions of rows (a match run, the risk
 * rollup's fill): the store's everyday 16 MiB is a small part of the deliveries index and of the
 * index being written, so every random probe or insert went to the OS for its pages. 256 MiB for the
 * length of `fn`, then back to what it was. One-shot CLI runs only; the memory is given back after.
 */
const BATCH_CACHE_KIB = 256 * 1024;

export function withBatchCache<T>(db: DatabaseSync, fn: () => T): T {
  const before = Number(Object.values(db.prepare('PRAGMA cache_size').get()!)[0]);
  db.exec(`PRAGMA cache_size = ${-BATCH_CACHE_KIB}`);
  try { return fn(); } finally { db.exec(`PRAGMA cache_size = ${before}`); }
}

import assert from 'node:assert/strict';
import { DatabaseSync } from 'node:sqlite';
import { test } from 'node:test';
import { SQLITE_BATCH, withBatchCache, withoutForeignKeyChecks } from '../../../src/store/sqlite/sources/batch-cache.ts';

const fk = (db: DatabaseSync) => Number(db.prepare('PRAGMA foreign_keys').get()!.foreign_keys);

test('withoutForeignKeyChecks: off for the batch, on again after it, also when it throws; refused inside a transaction', () => {
  const db = new DatabaseSync(':memory:');
  db.exec('PRAGMA foreign_keys = ON; CREATE TABLE p (id INTEGER PRIMARY KEY); CREATE TABLE c (p INTEGER NOT NULL REFERENCES p(id))');
  assert.throws(() => db.exec('INSERT INTO c VALUES (1)'), /FOREIGN KEY/);
  withoutForeignKeyChecks(db, SQLITE_BATCH, () => {
    assert.equal(fk(db), 0);
    db.exec('BEGIN; INSERT INTO p VALUES (1); INSERT INTO c VALUES (1); COMMIT');
  });
  assert.equal(fk(db), 1);
  assert.throws(() => withoutForeignKeyChecks(db, SQLITE_BATCH, () => { throw new Error('batch failed'); }), /batch failed/);
  assert.equal(fk(db), 1);
  assert.throws(() => db.exec('INSERT INTO c VALUES (2)'), /FOREIGN KEY/);
  db.exec('BEGIN');
  assert.throws(() => withoutForeignKeyChecks(db, SQLITE_BATCH, () => 0), /inside a transaction/);
  db.exec('ROLLBACK');
  db.close();
});

const cacheSize = (db: DatabaseSync) => Number(db.prepare('PRAGMA cache_size').get()!.cache_size);

test('withBatchCache: 256 MiB of page cache for the batch, what it was after, also when it throws; untouched where the store has no page cache of its own', () => {
  const db = new DatabaseSync(':memory:');
  db.exec('PRAGMA cache_size = -16384');
  assert.equal(withBatchCache(db, SQLITE_BATCH, () => cacheSize(db)), -256 * 1024);
  assert.equal(cacheSize(db), -16384);
  assert.throws(() => withBatchCache(db, SQLITE_BATCH, () => { throw new Error('batch failed'); }), /batch failed/);
  assert.equal(cacheSize(db), -16384);
  // What the PostgreSQL facade says of itself (postgres/pg-database.ts PG_BATCH): nothing to size, nothing to turn off.
  const none = { pageCache: false, foreignKeyChecks: false };
  db.exec('PRAGMA foreign_keys = ON');
  assert.deepEqual(withBatchCache(db, none, () => withoutForeignKeyChecks(db, none, () => [cacheSize(db), fk(db)])), [-16384, 1]);
  db.close();
});

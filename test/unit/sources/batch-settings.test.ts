import assert from 'node:assert/strict';
import { DatabaseSync } from 'node:sqlite';
import { test } from 'node:test';
import { withoutForeignKeyChecks } from '../../../src/store/sqlite/sources/batch-cache.ts';

const fk = (db: DatabaseSync) => Number(db.prepare('PRAGMA foreign_keys').get()!.foreign_keys);

test('withoutForeignKeyChecks: off for the batch, on again after it, also when it throws; refused inside a transaction', () => {
  const db = new DatabaseSync(':memory:');
  db.exec('PRAGMA foreign_keys = ON; CREATE TABLE p (id INTEGER PRIMARY KEY); CREATE TABLE c (p INTEGER NOT NULL REFERENCES p(id))');
  assert.throws(() => db.exec('INSERT INTO c VALUES (1)'), /FOREIGN KEY/);
  withoutForeignKeyChecks(db, () => {
    assert.equal(fk(db), 0);
    db.exec('BEGIN; INSERT INTO p VALUES (1); INSERT INTO c VALUES (1); COMMIT');
  });
  assert.equal(fk(db), 1);
  assert.throws(() => withoutForeignKeyChecks(db, () => { throw new Error('batch failed'); }), /batch failed/);
  assert.equal(fk(db), 1);
  assert.throws(() => db.exec('INSERT INTO c VALUES (2)'), /FOREIGN KEY/);
  db.exec('BEGIN');
  assert.throws(() => withoutForeignKeyChecks(db, () => 0), /inside a transaction/);
  db.exec('ROLLBACK');
  db.close();
});

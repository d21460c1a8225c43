import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { numberParameters, translate } from '../../../../src/store/postgres/dialect.ts';

const shape = { withId: new Set(['decoys']), keys: new Map([['payload_variants', ['source_id', 'format']]]) };

describe('PostgreSQL dialect: each rule of dialect.ts', () => {
  it('1. ? and ?N become $n, quoted text left alone', () => {
    assert.equal(numberParameters("SELECT '?' AS q, \"a?\" FROM t WHERE a = ? AND b = ?"), "SELECT '?' AS q, \"a?\" FROM t WHERE a = $1 AND b = $2");
    assert.equal(numberParameters('SELECT ?1 + ?2 - ?1'), 'SELECT $1 + $2 - $1');
  });
  it('2. INSERT OR IGNORE', () => {
    assert.equal(translate('INSERT OR IGNORE INTO payloads (id) VALUES (?)', shape).sql, 'INSERT INTO payloads (id) VALUES ($1) ON CONFLICT DO NOTHING');
  });
  it('3. INSERT OR REPLACE updates every non-key column', () => {
    assert.equal(translate('INSERT OR REPLACE INTO payload_variants (source_id, format, variant_id) VALUES (?, ?, ?)', shape).sql,
      'INSERT INTO payload_variants (source_id, format, variant_id) VALUES ($1, $2, $3) ON CONFLICT (source_id, format) DO UPDATE SET variant_id = excluded.variant_id');
    assert.throws(() => translate('INSERT OR REPLACE INTO other (a) VALUES (?)', shape), /no primary key known/);
  });
  it('4. LIMIT -1 means no limit', () => {
    assert.equal(translate('SELECT * FROM t LIMIT ?', shape).sql, 'SELECT * FROM t LIMIT NULLIF($1, -1)');
  });
  it('5. CAST AS INTEGER is 64-bit', () => {
    assert.equal(translate('SELECT CAST(?1 AS INTEGER)', shape).sql, 'SELECT CAST($1 AS BIGINT)');
  });
  it('6. inserts into tables with an id return it', () => {
    assert.deepEqual(translate('INSERT INTO decoys (a) VALUES (?)', shape), { sql: 'INSERT INTO decoys (a) VALUES ($1) RETURNING id', returnsId: true });
    assert.deepEqual(translate('INSERT INTO counters (a) VALUES (?)', shape), { sql: 'INSERT INTO counters (a) VALUES ($1)', returnsId: false });
  });
  it('7. BEGIN IMMEDIATE and PRAGMAs', () => {
    assert.equal(translate('BEGIN IMMEDIATE', shape).sql, 'BEGIN');
    assert.equal(translate('PRAGMA cache_size = -1024', shape).sql, '');
  });
  it('8. named parameters: one number per name, in order of first use; casts and quoted text left alone', () => {
    assert.deepEqual(translate("SELECT :b + :a - :b, x::int, ':c' FROM t WHERE d = :a", shape),
      { sql: "SELECT $1 + $2 - $1, x::int, ':c' FROM t WHERE d = $2", returnsId: false, names: ['b', 'a'] });
  });
});

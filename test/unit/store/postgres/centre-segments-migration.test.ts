import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { CentreDb } from '../../../../src/centre/centre-db.ts';
import { verifyStoredChain } from '../../../../src/centre/verify-chain.ts';
import { leafHashOfText } from '../../../../src/evidence/merkle.ts';
import { migrate } from '../../../../src/store/postgres/migrate.ts';
import { PG_MIGRATIONS } from '../../../../src/store/postgres/migrations/index.ts';
import { SyncConnection } from '../../../../src/store/postgres/sync-connection.ts';
import { testNode } from '../../../helpers/centre-node.ts';
import { dropSchema, pgUnavailable, TEST_PG_URL, uniqueSchema } from '../../../helpers/postgres.ts';

// pg-centre-007: the previous version's centre_records rows (a row per record) move into segments, and read back the same.
const unavailable = await pgUnavailable();
const schemas: string[] = [];
after(async () => { for (const s of schemas) await dropSchema(s); });

describe('PostgreSQL migration pg-centre-007 (centre records into segments)', { skip: unavailable }, () => {
  it('from an empty database: centre_segments with its no-overlap constraint, no centre_records', async () => {
    const schema = uniqueSchema('cs_seg_migr');
    schemas.push(schema);
    const conn = new SyncConnection(TEST_PG_URL, schema);
    try {
      conn.query(`CREATE SCHEMA "${schema}"`);
      migrate(conn);
      const tables = (conn.query(`SELECT relname FROM pg_class WHERE relnamespace = current_schema()::regnamespace AND relname IN ('centre_records', 'centre_segments')`).rows as { relname: string }[]).map((r) => r.relname);
      assert.deepEqual(tables, ['centre_segments']);
      const cons = (conn.query(`SELECT conname, contype FROM pg_constraint WHERE conrelid = 'centre_segments'::regclass AND contype = 'x'`).rows as { conname: string }[]).map((r) => r.conname);
      assert.deepEqual(cons, ['centre_segments_no_overlap']);
    } finally { await conn.close(); }
  });

  it('from the previous version: every row, erased ones too, read back the same through cs_centre_records; runs split at gaps and every 5,000', async () => {
    const schema = uniqueSchema('cs_seg_migr');
    schemas.push(schema);
    const node = await testNode(1);
    await node.record(20);
    const conn = new SyncConnection(TEST_PG_URL, schema);
    try {
      conn.query(`CREATE SCHEMA "${schema}"`);
      migrate(conn, PG_MIGRATIONS.slice(0, PG_MIGRATIONS.findIndex((m) => m.name === 'pg-centre-007')));
      conn.query(`SELECT cs_ensure_month_partition('centre_records', 1764000000000)`);
      // Node 1: 20 real chained records as the previous intake stored them, record 4 erased (text '', tombstone).
      conn.query(`INSERT INTO centre_nodes (id, fingerprint, public_key, label, registered_at, size) VALUES (1, $1, $2, 'node-1', 1, 20)`, [node.ev.key.fingerprint, node.ev.key.publicPem]);
      for (const r of node.ev.table.range(0, 20)) {
        const head = JSON.parse(r.text) as { at: number; kind: string; prev: string };
        conn.query(`INSERT INTO centre_records (node_id, seq, at, kind, ip, decoy_id, prev, hash, text) VALUES (1, $1, $2, $3, NULL, NULL, decode($4, 'hex'), $5, $6)`,
          [r.seq, head.at, head.kind, head.prev, leafHashOfText(r.text), r.seq === 4 ? '' : r.text]);
      }
      conn.query(`INSERT INTO centre_erased (node_id, seq, at, kind, keys, erased_at, erasure) VALUES (1, 4, 1764000000004, 'delivery', '[]', 2, 'erasure test')`);
      // Node 2: synthetic chained rows (prev = the hash before) 0..5002 and 5010..5011 (a gap): runs [0, 4999], [5000, 5002], [5010, 5011].
      conn.query(`INSERT INTO centre_nodes (id, fingerprint, public_key, label, registered_at) VALUES (2, $1, 'pem', 'node-2', 1)`, ['ab'.repeat(32)]);
      conn.query(`INSERT INTO centre_records (node_id, seq, at, kind, ip, decoy_id, prev, hash, text)
        SELECT 2, s, 1764000000000 + s, 'delivery', NULL::text, NULL::bigint, sha256(('h' || (s - 1))::bytea), sha256(('h' || s)::bytea), '{"seq":' || s || '}'
        FROM generate_series(0, 5002) s UNION ALL
        SELECT 2, s, 1764000000000 + s, 'delivery', NULL::text, NULL::bigint, sha256(('h' || (s - 1))::bytea), sha256(('h' || s)::bytea), '{"seq":' || s || '}' FROM generate_series(5010, 5011) s`);
    } finally { await conn.close(); }
    const c = new pg.Client({ connectionString: TEST_PG_URL, options: `-c search_path="${schema}"` });
    await c.connect();
    try {
      // One line per record (strings compare fast, and a difference shows where it is).
      const lines = (rows: Record<string, unknown>[]) => rows.map((r) => `${Number(r.node_id)} ${Number(r.seq)} ${(r.prev as Buffer).toString('hex')} ${(r.hash as Buffer).toString('hex')} ${String(r.text)}`);
      const old = lines((await c.query('SELECT node_id, seq, prev, hash, text FROM centre_records ORDER BY node_id, seq')).rows);
      const db = await CentreDb.open(TEST_PG_URL, schema); // migrates to the current version
      try {
        const now = lines((await c.query(`SELECT r.node_id, r.seq, r.prev, r.hash, r.text FROM centre_nodes n, cs_centre_records(n.id, 0, 1099511627776) r ORDER BY r.node_id, r.seq`)).rows);
        assert.equal(now.length, 20 + 5003 + 2);
        const differs = now.findIndex((l, i) => l !== old[i]);
        assert.equal(differs, -1, `each record as it was (seq, prev, leaf hash, text); first difference: ${now[differs]?.slice(0, 300)} / ${old[differs]?.slice(0, 300)}`);
        const segs = (await c.query('SELECT node_id, first_seq, last_seq, erased FROM centre_segments ORDER BY node_id, first_seq')).rows.map((r) => [Number(r.node_id), Number(r.first_seq), Number(r.last_seq), Number(r.erased)]);
        assert.deepEqual(segs, [[1, 0, 19, 1], [2, 0, 4999, 0], [2, 5000, 5002, 0], [2, 5010, 5011, 0]]);
        assert.equal(Number((await c.query(`SELECT count(*) AS n FROM pg_class WHERE relnamespace = current_schema()::regnamespace AND relname = 'centre_records'`)).rows[0].n), 0);
        const chain = await verifyStoredChain(db.pool, node.ev.key.fingerprint);
        assert.deepEqual([chain.problem, chain.records, chain.erased], [null, 20, 1]);
        assert.deepEqual(await db.gaps('ab'.repeat(32)), [[5003, 5009]], 'the gap among the old rows is reported');
      } finally { await db.close(); }
    } finally { await c.end(); await node.dispose(); }
  });
});

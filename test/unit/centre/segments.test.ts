import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { exportAcrossNodes } from '../../../src/app/centre-export.ts';
import { CentreDb, RefusedBatch } from '../../../src/centre/centre-db.ts';
import { CentreServer } from '../../../src/centre/centre-server.ts';
import { Shipper } from '../../../src/centre/shipper.ts';
import { loadOrCreateCentreKey, type CentreKey } from '../../../src/centre/centre-key.ts';
import { verifyStoredChain } from '../../../src/centre/verify-chain.ts';
import { PgCentreErasure } from '../../../src/store/postgres/centre-erasure.ts';
import { PostgresStore } from '../../../src/store/postgres/postgres-store.ts';
import { testNode, type TestNode } from '../../helpers/centre-node.ts';
import { dropSchema, pgUnavailable, TEST_PG_URL, uniqueSchema } from '../../helpers/postgres.ts';
// @ts-expect-error: the standalone verifier is plain JavaScript without types for this file
import { verifyCentrePackage } from '../../../verifier/verify-centre.mjs';

// The centre stores verified batches as segment rows (centre_segments, pg-centre-007): exactly once, whatever is re-sent,
// overlapping or out of order; erasure rewrites a segment without touching its neighbours' proofs.
const unavailable = await pgUnavailable();
type Result = { ok: boolean; findings: { node: string | null; code: string; message: string }[]; nodes: { node: string; records: number; erased: { seq: number }[] }[] };

describe('centre segments (pg-centre-007)', { skip: unavailable }, () => {
  const schema = uniqueSchema('cs_segments');
  let db: CentreDb;
  const nodes: TestNode[] = [];
  const dirs: string[] = [];
  const node = async () => { const n = await testNode(nodes.length + 1); nodes.push(n); await db.registerNode(n.ev.key.publicPem, `node-${nodes.length}`); return n; };
  const records = (n: TestNode, from: number, to: number) => [...n.ev.table.range(from, to)].map((r) => ({ seq: r.seq, text: r.text }));
  const segments = async (n: TestNode) => (await db.pool.query(`SELECT s.first_seq, s.last_seq FROM centre_segments s JOIN centre_nodes c ON c.id = s.node_id
    WHERE c.fingerprint = $1 ORDER BY s.first_seq`, [n.ev.key.fingerprint])).rows.map((r) => [Number(r.first_seq), Number(r.last_seq)]);

  before(async () => { db = await CentreDb.open(TEST_PG_URL, schema); });
  after(async () => {
    await db?.close();
    for (const n of nodes) await n.dispose();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    await dropSchema(schema);
  });

  it('a batch re-sent whole is acknowledged and stored once: one segment, each record once', async () => {
    const n = await node();
    await n.record(120);
    const fp = n.ev.key.fingerprint;
    assert.deepEqual(await db.ingest(fp, { records: records(n, 0, 120), checkpoints: [] }), { acked: 120, stored: 120, duplicates: 0, checkpointsVerified: 0 });
    assert.deepEqual(await db.ingest(fp, { records: records(n, 0, 120), checkpoints: [] }), { acked: 120, stored: 0, duplicates: 120, checkpointsVerified: 0 });
    assert.deepEqual(await segments(n), [[0, 119]]);
    assert.deepEqual([await db.count(fp), await db.distinctSeqs(fp)], [120, 120]);
    // Read back through the accessor: the node's very texts, in order.
    const back = (await db.pool.query('SELECT r.seq, r.text FROM centre_nodes c, cs_centre_records(c.id, 0, 1000) r WHERE c.fingerprint = $1 ORDER BY r.seq', [fp])).rows;
    assert.deepEqual(back.map((r) => String(r.text)), records(n, 0, 120).map((r) => r.text));
  });

  it('a batch overlapping what is stored is trimmed to the new records; the table refuses an overlapping segment itself', async () => {
    const n = await node();
    await n.record(300);
    const fp = n.ev.key.fingerprint;
    await db.ingest(fp, { records: records(n, 0, 100), checkpoints: [] });
    await db.ingest(fp, { records: records(n, 150, 200), checkpoints: [] });
    // 50..249 overlaps both: only 100..149 and 200..249 are new, each stored as a segment of its own.
    assert.deepEqual(await db.ingest(fp, { records: records(n, 50, 250), checkpoints: [] }), { acked: 250, stored: 100, duplicates: 100, checkpointsVerified: 0 });
    assert.deepEqual(await segments(n), [[0, 99], [100, 149], [150, 199], [200, 249]]);
    assert.deepEqual([await db.count(fp), await db.distinctSeqs(fp)], [250, 250]);
    assert.equal((await verifyStoredChain(db.pool, fp)).problem, null);
    // Whatever the intake did, PostgreSQL refuses a second row for a stored seq (exclusion constraint).
    await assert.rejects(db.pool.query(`INSERT INTO centre_segments (node_id, first_seq, last_seq, min_at, max_at, prev, hashes, texts, received_at)
      SELECT node_id, 140, 140, 0, 0, prev, substr(hashes, 1, 32), 'x', 0 FROM centre_segments s JOIN centre_nodes c ON c.id = s.node_id WHERE c.fingerprint = $1 AND s.first_seq = 0`, [fp]),
    (e: Error & { code?: string }) => e.code === '23P01');
    // A re-sent part with another text for a stored seq is still a fork, refused whole.
    const forged = records(n, 240, 260).map((r) => (r.seq === 245 ? { ...r, text: r.text.replace('"seq":245,', '"seq":245 ,') } : r));
    await assert.rejects(db.ingest(fp, { records: forged, checkpoints: [] }), (e: unknown) => e instanceof RefusedBatch && ['fork', 'bad-record'].includes(e.reason));
    assert.deepEqual(await segments(n), [[0, 99], [100, 149], [150, 199], [200, 249]]);
  });

  it('batches out of order: the gap report names the missing ranges until they are filled, and the acknowledgement waits for them', async () => {
    const n = await node();
    await n.record(250);
    const fp = n.ev.key.fingerprint;
    assert.equal((await db.ingest(fp, { records: records(n, 200, 250), checkpoints: [] })).acked, 0);
    assert.equal((await db.ingest(fp, { records: records(n, 100, 150), checkpoints: [] })).acked, 0);
    assert.deepEqual(await db.gaps(fp), [[0, 99], [150, 199]]);
    assert.equal((await db.ingest(fp, { records: records(n, 0, 100), checkpoints: [] })).acked, 150);
    assert.deepEqual(await db.gaps(fp), [[150, 199]]);
    // A checkpoint over all 250, shipped with the records that close the last gap, verifies from the stored hashes beyond it.
    const cp = n.ev.log.checkpoint('manual');
    const r = await db.ingest(fp, { records: records(n, 150, 200), checkpoints: [{ text: cp.text, signature: cp.signature }] });
    assert.deepEqual([r.acked, r.checkpointsVerified], [250, 1]);
    assert.deepEqual(await db.gaps(fp), []);
    assert.deepEqual(await segments(n), [[0, 99], [100, 149], [150, 199], [200, 249]]);
    assert.equal((await verifyStoredChain(db.pool, fp)).problem, null);
  });

  it('a record erased inside a segment: its line emptied, every other byte kept, the chain and its neighbours\' proofs still verify', async () => {
    const n = await node();
    await n.record(30);
    const fp = n.ev.key.fingerprint;
    const cp = n.ev.log.checkpoint('manual');
    await db.ingest(fp, { records: records(n, 0, 30), checkpoints: [{ text: cp.text, signature: cp.signature }] });
    const textsBefore = String((await db.pool.query('SELECT texts FROM centre_segments s JOIN centre_nodes c ON c.id = s.node_id WHERE c.fingerprint = $1', [fp])).rows[0].texts);
    const store = new PostgresStore({ url: TEST_PG_URL, schema });
    try {
      const erasure = new PgCentreErasure(store.database, (fn) => store.transaction(fn));
      erasure.project();
      const sel = { kinds: ['delivery'], before: 8.64e15, ip: '198.18.0.10', exceptIps: [] };
      // The test nodes all record 198.18.0.<seq>: record 10 of each of the four nodes here.
      assert.equal(erasure.due(sel), 4);
      assert.deepEqual(erasure.erase(sel, { erasure: 'erasure request 1', at: 1_800_000_000_000 }), { records: 4, nodes: 4 });
      assert.equal(erasure.due(sel), 0);
    } finally { await store.close(); }
    const row = (await db.pool.query('SELECT texts, erased FROM centre_segments s JOIN centre_nodes c ON c.id = s.node_id WHERE c.fingerprint = $1', [fp])).rows[0];
    const lines = textsBefore.split('\n');
    lines[10] = '';
    assert.equal(String(row.texts), lines.join('\n'), 'only line 10 changed');
    assert.equal(Number(row.erased), 1);
    const chain = await verifyStoredChain(db.pool, fp);
    assert.deepEqual([chain.problem, chain.records, chain.erased], [null, 30, 1]);
    // An export of seqs 9..11 (by time): 9 and 11 with their inclusion proofs, 10 as a stub; the standalone verifier accepts it.
    const keyDir = mkdtempSync(join(tmpdir(), 'cs-segments-key-'));
    dirs.push(keyDir);
    const key: CentreKey = loadOrCreateCentreKey(keyDir);
    const out = join(keyDir, 'pkg');
    await exportAcrossNodes({ url: TEST_PG_URL, schema, key, out, from: 1_764_000_000_009, to: 1_764_000_000_012, nodes: [fp] });
    const v = verifyCentrePackage(out) as Result;
    assert.deepEqual(v.findings, []);
    assert.deepEqual([v.ok, v.nodes[0]!.records, v.nodes[0]!.erased.map((e) => e.seq)], [true, 2, [10]]);
  });

  it('the projection into the analysis tables runs in bounded chunks, a transaction each, and after batches when the server is asked to', async () => {
    const own = uniqueSchema('cs_segments_proj');
    const c = await CentreDb.open(TEST_PG_URL, own);
    try {
      const n = await testNode(9);
      nodes.push(n);
      await c.registerNode(n.ev.key.publicPem, 'node-9');
      await n.record(30);
      await c.ingest(n.ev.key.fingerprint, { records: records(n, 0, 30), checkpoints: [] });
      const projected = async () => Number((await c.pool.query('SELECT COALESCE(max(projected), 0) AS p FROM centre_projection')).rows[0].p);
      const deliveries = async () => Number((await c.pool.query('SELECT count(*) AS n FROM deliveries')).rows[0].n);
      assert.deepEqual(await c.project(7, 1), { records: 7, more: true }, 'one chunk of at most 7 records');
      assert.deepEqual([await projected(), await deliveries()], [7, 7]);
      assert.deepEqual(await c.project(7, 2), { records: 14, more: true }, 'two chunks at most: records may be left');
      assert.deepEqual(await c.project(7), { records: 9, more: false }, 'the rest, 7 at a time');
      assert.deepEqual([await projected(), await deliveries()], [30, 30]);
      assert.deepEqual(await c.project(7), { records: 0, more: false });
      // CentreServer with projectAfterMs: a stored batch is projected shortly after its answer.
      const server = await CentreServer.start({ db: c, projectAfterMs: 10 });
      try {
        await n.record(20);
        const shipper = new Shipper({ url: server.url, key: n.ev.key, log: n.ev.table, batchSize: 100, sliceSize: 100 });
        await shipper.shipOnce(); // learns the acknowledged size (30)
        await shipper.shipOnce();
        assert.equal(shipper.acked, 50);
        for (let i = 0; i < 200 && await projected() < 50; i++) await new Promise((r) => setTimeout(r, 25));
        assert.deepEqual([await projected(), await deliveries()], [50, 50]);
      } finally { await server.close(); }
    } finally { await c.close(); await dropSchema(own); }
  });
});


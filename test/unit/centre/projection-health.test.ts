import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { CentreDb } from '../../../src/centre/centre-db.ts';
import { CentreServer } from '../../../src/centre/centre-server.ts';
import { Shipper } from '../../../src/centre/shipper.ts';
import { testNode, type TestNode } from '../../helpers/centre-node.ts';
import { dropSchema, pgUnavailable, TEST_PG_URL, uniqueSchema } from '../../helpers/postgres.ts';

// The background projection after batches (CentreServer, projectAfterMs): a failure is logged and counted where
// `centre status` shows it, never swallowed; each run is bounded, and a catch-up longer than one run is projected whole.
const unavailable = await pgUnavailable();
const until = async (what: string, ok: () => Promise<boolean>) => {
  for (let i = 0; i < 400; i++) { if (await ok()) return; await new Promise((r) => setTimeout(r, 25)); }
  assert.fail(`timed out waiting for ${what}`);
};

describe('centre: the background projection', { skip: unavailable }, () => {
  const schemas: string[] = [];
  const nodes: TestNode[] = [];
  after(async () => {
    for (const n of nodes) await n.dispose();
    for (const s of schemas) await dropSchema(s);
  });
  const open = async (prefix: string) => {
    const schema = uniqueSchema(prefix);
    schemas.push(schema);
    const db = await CentreDb.open(TEST_PG_URL, schema);
    const n = await testNode(nodes.length + 1);
    nodes.push(n);
    await db.registerNode(n.ev.key.publicPem, `node-${nodes.length}`);
    const projected = async () => Number((await db.pool.query('SELECT COALESCE(max(projected), 0) AS p FROM centre_projection')).rows[0].p);
    return { db, n, projected };
  };

  it('a failed projection is reported and counted for centre status, and the next batch projects what it left', async () => {
    const { db, n, projected } = await open('cs_proj_fail');
    const errors: string[] = [];
    const server = await CentreServer.start({ db, projectAfterMs: 10, onProjectionError: (e) => errors.push(e.message) });
    try {
      // The projection fails for real: its function is gone for a while.
      await db.pool.query('ALTER FUNCTION cs_project_centre_chunk(bigint) RENAME TO cs_project_centre_chunk_away');
      await n.record(40);
      const shipper = new Shipper({ url: server.url, key: n.ev.key, log: n.ev.table, batchSize: 100, sliceSize: 100 });
      for (let i = 0; i < 5 && (shipper.acked ?? -1) < 40; i++) await shipper.shipOnce();
      assert.equal(shipper.acked, 40, 'the batch is stored and acknowledged whatever the projection does');
      await until('the failure to be counted', async () => (await db.projectionHealth()).failures >= 1);
      assert.equal(server.projectionFailures, 1);
      assert.equal(errors.length, 1);
      assert.match(errors[0]!, /cs_project_centre_chunk/);
      const h = await db.projectionHealth();
      assert.deepEqual([h.behind, h.failures], [40, 1], 'centre status: 40 records not yet projected, one failure');
      assert.ok(h.lastFailureAt !== null && h.lastFailureAt > Date.now() - 60_000);
      assert.match(h.lastError ?? '', /cs_project_centre_chunk/);
      assert.equal(await projected(), 0);

      // Back: the next batch's projection covers the records the failed one left.
      await db.pool.query('ALTER FUNCTION cs_project_centre_chunk_away(bigint) RENAME TO cs_project_centre_chunk');
      await n.record(10);
      await shipper.shipOnce();
      assert.equal(shipper.acked, 50);
      await until('everything projected', async () => await projected() === 50);
      assert.deepEqual(await db.projectionHealth(), { ...h, behind: 0 }, 'nothing behind; the failure stays counted');
      assert.equal(server.projectionFailures, 1);
    } finally { await server.close(); await db.close(); }
  });

  it('the rollups\' refresh projects what was left when it started, and stops: a stream of batches cannot keep it going', async () => {
    const { db, n, projected } = await open('cs_proj_refresh');
    await n.record(30);
    await db.ingest(n.ev.key.fingerprint, { records: [...n.ev.table.range(0, 30)].map((r) => ({ seq: r.seq, text: r.text })), checkpoints: [] });
    // A stream of batches, as seen by the projection: each chunk projected makes the node 20,000 records longer
    // (seqs without stored records: projected as nothing, as fast as the loop can go).
    await db.pool.query(`CREATE FUNCTION test_grow() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN UPDATE centre_nodes SET size = size + 20000 WHERE id = NEW.node_id; RETURN NEW; END $$`);
    await db.pool.query('CREATE TRIGGER test_grow AFTER UPDATE ON centre_projection FOR EACH ROW EXECUTE FUNCTION test_grow()');
    const client = await db.pool.connect();
    try {
      await client.query("SET statement_timeout = '20s'");
      const covered = Number((await client.query('SELECT cs_project_centre_records() AS k')).rows[0].k);
      // What was there at its start (30 records: one chunk, plus the one a node the bound allows), then it stops.
      assert.equal(covered, 30 + 20_000);
      assert.equal(await projected(), 30 + 20_000);
      assert.equal(Number((await db.pool.query('SELECT count(*) AS n FROM deliveries')).rows[0].n), 30);
    } finally { await client.query('RESET statement_timeout').catch(() => undefined); client.release(); await db.close(); }
  });

  it('each run is bounded, and the scheduler runs again while chunks remain: a catch-up is projected whole', async () => {
    const { db, n, projected } = await open('cs_proj_bound');
    // Runs of one chunk of 7 records (the defaults are PROJECT_CHUNK records, PROJECT_MAX_CHUNKS chunks).
    const real = db.project.bind(db);
    const runs: { records: number; more: boolean }[] = [];
    db.project = async () => { const r = await real(7, 1); runs.push(r); return r; };
    const server = await CentreServer.start({ db, projectAfterMs: 5 });
    try {
      await n.record(30);
      const shipper = new Shipper({ url: server.url, key: n.ev.key, log: n.ev.table, batchSize: 100, sliceSize: 100 });
      for (let i = 0; i < 5 && (shipper.acked ?? -1) < 30; i++) await shipper.shipOnce();
      assert.equal(shipper.acked, 30);
      await until('all 30 records projected', async () => await projected() === 30);
      await until('the last run to find nothing left', async () => runs.at(-1)?.more === false);
      // 7, 7, 7, 7, 2 and a last run that finds nothing left (a run that stops at its bound cannot know that nothing is left).
      assert.deepEqual(runs.map((r) => r.records).filter((k) => k > 0), [7, 7, 7, 7, 2], 'bounded runs, one after the other, until the catch-up is done');
      assert.ok(runs.length <= 7, `${runs.length} runs`);
      assert.equal(server.projectionFailures, 0);
      assert.equal((await db.projectionHealth()).behind, 0);
    } finally { await server.close(); await db.close(); }
  });
});

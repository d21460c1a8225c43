import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { CentreDb, RefusedBatch } from '../../../src/centre/centre-db.ts';
import { CentreServer } from '../../../src/centre/centre-server.ts';
import { Shipper, ShipRefused } from '../../../src/centre/shipper.ts';
import { verifyStoredChain } from '../../../src/centre/verify-chain.ts';
import { signCheckpoint } from '../../../src/evidence/checkpoint.ts';
import { keyFingerprint } from '../../../src/evidence/keys.ts';
import { testNode, type TestNode } from '../../helpers/centre-node.ts';
import { dropSchema, pgUnavailable, TEST_PG_URL, uniqueSchema } from '../../helpers/postgres.ts';

const unavailable = await pgUnavailable();

describe('centre: shipped records verified, stored once, acknowledged; gaps; refusals', { skip: unavailable }, () => {
  const schema = uniqueSchema('cs_centre');
  let db: CentreDb;
  let server: CentreServer;
  const nodes: TestNode[] = [];
  const node = async () => { const n = await testNode(nodes.length + 1); nodes.push(n); await db.registerNode(n.ev.key.publicPem, `node-${nodes.length}`); return n; };
  const records = (n: TestNode, from: number, to: number) => [...n.ev.table.range(from, to)].map((r) => ({ seq: r.seq, text: r.text }));

  before(async () => {
    db = await CentreDb.open(TEST_PG_URL, schema);
    server = await CentreServer.start({ db });
  });
  after(async () => {
    await server?.close();
    await db?.close();
    for (const n of nodes) await n.dispose();
    await dropSchema(schema);
  });

  it('ships a node\'s records and checkpoints; the centre verifies the chain and the signatures and acknowledges all', async () => {
    const n = await node();
    await n.record(12_000);
    n.ev.log.checkpoint('manual');
    const s = new Shipper({ url: server.url, key: n.ev.key, log: n.ev.table, batchSize: 5000 });
    assert.equal((await s.shipOnce()).acked, 0, 'the first request learns the acknowledged size');
    let r = await s.shipOnce();
    while (r.sent > 0) r = await s.shipOnce();
    assert.equal(r.acked, 12_000);
    assert.deepEqual(r.gaps, []);
    assert.equal(await db.count(n.ev.key.fingerprint), 12_000);
    await n.record(10);
    n.ev.log.checkpoint('manual');
    await s.shipOnce();
    const st = (await db.status()).find((x) => x.fingerprint === n.ev.key.fingerprint)!;
    assert.deepEqual([st.acked, st.checkpointsVerified, st.checkpointsPending, st.gaps.length, st.backlog], [12_010, 2, 0, 0, 0]);
    // Each checkpoint came with the records it covers: verified from the frontier as they were added, not by re-reading the node's records from 0.
    assert.equal(db.rootsFromStored, 0);
  });

  it('a node with records keeps its registration (its key verifies them); one without can be deleted', async () => {
    const n = await node();
    await n.record(5);
    const fp = n.ev.key.fingerprint;
    await db.ingest(fp, { records: records(n, 0, 5), checkpoints: [] });
    await assert.rejects(db.pool.query('DELETE FROM centre_nodes WHERE fingerprint = $1', [fp]), /has records at the centre/);
    const idle = await node();
    const fp2 = idle.ev.key.fingerprint;
    assert.equal((await db.pool.query('DELETE FROM centre_nodes WHERE fingerprint = $1', [fp2])).rowCount, 1);
  });

  it('re-verification at the centre (centre verify) finds an altered stored record', async () => {
    const n = await node();
    await n.record(50);
    n.ev.log.checkpoint('manual');
    const fp = n.ev.key.fingerprint;
    const cps = n.ev.table.listCheckpoints(10).map((c) => ({ text: c.text, signature: c.signature.toString('base64') }));
    await db.ingest(fp, { records: records(n, 0, n.ev.table.count()), checkpoints: cps });
    const ok = await verifyStoredChain(db.pool, fp);
    assert.equal(ok.problem, null);
    assert.equal(ok.records, n.ev.table.count());
    assert.ok(ok.checkpoints >= 1);
    await db.pool.query(`UPDATE centre_segments SET texts = replace(texts, '"seq":7,', '"seq":7 ,') WHERE first_seq <= 7 AND last_seq >= 7 AND node_id = (SELECT id FROM centre_nodes WHERE fingerprint = $1)`, [fp]);
    assert.match((await verifyStoredChain(db.pool, fp)).problem ?? '', /record 7: the stored hash is not the hash of the stored text/);
  });

  it('stores each (node, seq) once: a batch sent again changes nothing', async () => {
    const n = await node();
    await n.record(300);
    const fp = n.ev.key.fingerprint;
    assert.deepEqual(await db.ingest(fp, { records: records(n, 0, 200), checkpoints: [] }), { acked: 200, stored: 200, duplicates: 0, checkpointsVerified: 0 });
    assert.deepEqual(await db.ingest(fp, { records: records(n, 100, 300), checkpoints: [] }), { acked: 300, stored: 100, duplicates: 100, checkpointsVerified: 0 });
    assert.deepEqual(await db.ingest(fp, { records: records(n, 0, 300), checkpoints: [] }), { acked: 300, stored: 0, duplicates: 300, checkpointsVerified: 0 });
    assert.equal(await db.count(fp), 300);
  });

  it('shows gaps as missing ranges per node until they are filled; a checkpoint beyond a gap waits, then verifies', async () => {
    const n = await node();
    await n.record(30);
    const cp = n.ev.log.checkpoint('manual');
    const fp = n.ev.key.fingerprint;
    await db.ingest(fp, { records: records(n, 0, 10), checkpoints: [] });
    const later = await db.ingest(fp, { records: records(n, 20, 30), checkpoints: [{ text: cp.text, signature: cp.signature }] });
    assert.deepEqual([later.acked, later.checkpointsVerified], [10, 0]);
    assert.deepEqual(await db.gaps(fp), [[10, 19]]);
    const filled = await db.ingest(fp, { records: records(n, 10, 20), checkpoints: [] });
    assert.deepEqual([filled.acked, filled.checkpointsVerified], [30, 1], 'the fill carries the size past the stored records, and the waiting checkpoint verifies');
    assert.deepEqual(await db.gaps(fp), []);
  });

  it('refuses a broken chain, another history for a stored seq, and a checkpoint that does not match, whole', async () => {
    const n = await node();
    await n.record(20);
    const fp = n.ev.key.fingerprint;
    const good = records(n, 0, 20);
    const edited = good.map((r, i) => (i === 5 ? { ...r, text: r.text.replace('198.18.0.5', '198.18.0.99') } : r));
    await assert.rejects(db.ingest(fp, { records: edited, checkpoints: [] }), (e: unknown) => e instanceof RefusedBatch && e.reason === 'chain-break');
    assert.equal(await db.count(fp), 0, 'nothing of the refused batch is stored');
    await db.ingest(fp, { records: good.slice(0, 6), checkpoints: [] });
    await assert.rejects(db.ingest(fp, { records: edited.slice(5, 6), checkpoints: [] }), (e: unknown) => e instanceof RefusedBatch && (e.reason === 'fork' || e.reason === 'chain-break'));
    const other = await node();
    await other.record(3);
    const foreign = other.ev.log.checkpoint('manual');
    await assert.rejects(db.ingest(fp, { records: [], checkpoints: [{ text: foreign.text, signature: foreign.signature }] }), (e: unknown) => e instanceof RefusedBatch && e.reason === 'bad-checkpoint-signature');
    // Signed by the node's own key, but over another root: refused when the chain reaches its size.
    const real = n.ev.log.checkpoint('manual', { force: true });
    const lying = signCheckpoint({ ...real.body, root: 'f'.repeat(64) }, n.ev.key.privateKey);
    await assert.rejects(db.ingest(fp, { records: good.slice(6), checkpoints: [lying] }), (e: unknown) => e instanceof RefusedBatch && e.reason === 'checkpoint-mismatch');
    assert.equal(await db.count(fp), 6, 'the records of the batch with the lying checkpoint are not stored either');
    assert.equal((await db.ingest(fp, { records: good.slice(6), checkpoints: [real] })).checkpointsVerified, 1);
  });

  it('a break far into a large batch: nothing of it stored, the connections stay usable, the next batch goes in', async () => {
    const n = await node();
    await n.record(6000);
    const fp = n.ev.key.fingerprint;
    const good = records(n, 0, 6000);
    const bad = good.map((r, i) => (i === 5000 ? { ...r, text: r.text.replace(/"remotePort":\d+/, '"remotePort":1') } : r));
    for (let k = 0; k < 5; k++) { // more often than the pool has connections: each must come back usable
      await assert.rejects(db.ingest(fp, { records: bad, checkpoints: [] }), (e: unknown) => e instanceof RefusedBatch && e.reason === 'chain-break');
    }
    assert.equal(await db.count(fp), 0);
    assert.equal((await db.ingest(fp, { records: good, checkpoints: [] })).acked, 6000);
    assert.equal(await db.count(fp), 6000);
  });

  it('refuses and counts a request from an unknown key, and one not signed by the key it names', async () => {
    const n = await node();
    await n.record(5);
    const stranger = generateKeyPairSync('ed25519');
    const fp = keyFingerprint(stranger.publicKey);
    const unknown = new Shipper({ url: server.url, key: { privateKey: stranger.privateKey, fingerprint: fp }, log: n.ev.table });
    await assert.rejects(unknown.shipOnce(), (e: unknown) => e instanceof ShipRefused && e.status === 403);
    await assert.rejects(unknown.shipOnce(), (e: unknown) => e instanceof ShipRefused && e.status === 403);
    const impostor = new Shipper({ url: server.url, key: { privateKey: stranger.privateKey, fingerprint: n.ev.key.fingerprint }, log: n.ev.table });
    await assert.rejects(impostor.shipOnce(), (e: unknown) => e instanceof ShipRefused && e.status === 401);
    const refusals = await db.refusals();
    assert.deepEqual(refusals.filter((r) => r.fingerprint === fp), [{ fingerprint: fp, reason: 'unknown-key', count: 2 }]);
    assert.deepEqual(refusals.filter((r) => r.fingerprint === n.ev.key.fingerprint && r.reason === 'bad-signature').map((r) => r.count), [1]);
  });
});

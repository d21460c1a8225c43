import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BATCH_CONTENT_TYPE, encodeBatch } from '../../../src/centre/batch-codec.ts';
import { CentreDb } from '../../../src/centre/centre-db.ts';
import { CentreServer } from '../../../src/centre/centre-server.ts';
import { postJson } from '../../../src/centre/post.ts';
import { BATCH_PATH, NODE_HEADER, SIGNATURE_HEADER, signBody } from '../../../src/centre/protocol.ts';
import { testNode, type TestNode } from '../../helpers/centre-node.ts';
import { dropSchema, pgUnavailable, TEST_PG_URL, uniqueSchema } from '../../helpers/postgres.ts';

const unavailable = await pgUnavailable();

/** Batches are read (parsed, hashed, linked) on a read worker (read-pool.ts) or on the intake's thread: the same answers either way. */
describe('centre: batches read on a read worker', { skip: unavailable }, () => {
  const schema = uniqueSchema('cs_readw');
  let db: CentreDb;
  let inline: CentreServer, pooled: CentreServer, failing: CentreServer;
  const nodes: TestNode[] = [];
  const node = async () => { const n = await testNode(nodes.length + 1); nodes.push(n); await db.registerNode(n.ev.key.publicPem, `node-${nodes.length}`); return n; };
  const texts = (n: TestNode, from: number, to: number) => [...n.ev.table.range(from, to)].map((r) => r.text);
  /** Posts `body` signed by the node, as a Shipper does. */
  const post = (server: CentreServer, n: TestNode, body: Buffer) => postJson(new URL(BATCH_PATH, server.url), body,
    { 'content-type': BATCH_CONTENT_TYPE, [NODE_HEADER]: n.ev.key.fingerprint, [SIGNATURE_HEADER]: signBody(BATCH_PATH, body, n.ev.key.privateKey) }, AbortSignal.timeout(30_000));

  before(async () => {
    db = await CentreDb.open(TEST_PG_URL, schema);
    inline = await CentreServer.start({ db, readWorkers: 0 });
    pooled = await CentreServer.start({ db, readWorkers: 1 });
    failing = await CentreServer.start({ db, readWorkers: 1, readPool: { entry: new URL('../../helpers/failing-read-worker.ts', import.meta.url), timeoutMs: 500 } });
  });
  after(async () => {
    for (const s of [inline, pooled, failing]) await s?.close();
    await db?.close();
    for (const n of nodes) await n.dispose();
    await dropSchema(schema);
  });

  it('refuses every hostile batch with the same status, reason and message as the intake\'s own thread, and stores none of them', async () => {
    const n = await node();
    await n.record(20);
    const good = texts(n, 0, 20);
    const other = await testNode(99);
    await other.record(3);
    const header = (h: string, lines: string[]) => Buffer.from(`${h}\n${lines.map((l) => `${l}\n`).join('')}`, 'utf8');
    const batch = (lines: string[], o: { first?: number; checkpoints?: unknown[] } = {}) =>
      encodeBatch({ first: o.first ?? 0, texts: lines, checkpoints: (o.checkpoints ?? []) as never[], backlog: 0 });
    const deep = `${'['.repeat(100_000)}1${']'.repeat(100_000)}`;
    const hostile: [string, Buffer][] = [
      ['not UTF-8', Buffer.concat([batch(good.slice(0, 1)), Buffer.from([0xc3, 0x28, 10])])],
      ['header not JSON', header('{"count":1', good.slice(0, 1))],
      ['fewer records than the header says', header('{"backlog":0,"checkpoints":[],"count":3,"first":0}', good.slice(0, 2))],
      ['more records than the header says', header('{"backlog":0,"checkpoints":[],"count":1,"first":0}', good.slice(0, 2))],
      ['a record that is not JSON', batch([good[0]!, '{"at":1,"kind":"delivery"', good[2]!])],
      ['a record that is JSON but not a record', batch([good[0]!, '[1,2,3]'])],
      ['a record of another node', batch(texts(other, 0, 3))],
      ['records at the wrong seq', batch(good.slice(0, 3), { first: 1 })],
      ['record 0 with a prev that is not the genesis value', batch(good.slice(1, 3), { first: 0 })],
      ['a record edited inside the batch', batch([good[0]!, good[1]!.replace('198.18.', '198.19.'), good[2]!])],
      ['a checkpoint that is not {text, signature}', batch(good.slice(0, 2), { checkpoints: [5] })],
      ['a checkpoint of nested lists', header(`{"backlog":0,"checkpoints":[{"signature":${deep},"text":${deep}}],"count":2,"first":0}`, good.slice(0, 2))],
      ['a checkpoint whose signature does not verify', batch(good.slice(0, 2), { checkpoints: [{ text: '{"tree_size":2}', signature: 'c2ln' }] })],
    ];
    for (const [what, body] of hostile) {
      const a = await post(inline, n, Buffer.from(body));
      const b = await post(pooled, n, Buffer.from(body));
      assert.ok(a.status === 400 || a.status === 409, `${what}: refused (${a.status} ${JSON.stringify(a.body)})`);
      assert.deepEqual(b, a, `${what}: the same answer on a read worker`);
    }
    assert.equal(await db.count(n.ev.key.fingerprint), 0, 'nothing of a refused batch is stored');
    const reasons = (await db.refusals()).filter((r) => r.fingerprint === n.ev.key.fingerprint);
    assert.deepEqual(reasons.map((r) => [r.reason, r.count]), [['bad-checkpoint', 4], ['bad-checkpoint-signature', 2], ['bad-record', 10], ['bad-request', 8], ['chain-break', 2]]);
    assert.deepEqual((await post(pooled, n, batch(good))).body.acked, 20);
    assert.deepEqual((await post(inline, n, batch(good))).body, { acked: 20, stored: 0, duplicates: 20, checkpointsVerified: 0, gaps: [] });
    await other.dispose();
  });

  it('a batch whose worker exits, throws or never answers is refused with 503 and not stored, and the next batch gets a new worker', async () => {
    for (const [what, backlog] of [['exits', 901], ['throws', 902], ['never answers', 903]] as const) {
      const n = await node();
      await n.record(10);
      const body = (b: number) => encodeBatch({ first: 0, texts: texts(n, 0, 10), checkpoints: [], backlog: b });
      const a = await post(failing, n, body(backlog));
      assert.equal(a.status, 503, `a worker that ${what}: ${JSON.stringify(a.body)}`);
      assert.equal(await db.count(n.ev.key.fingerprint), 0, `a worker that ${what}: nothing of its batch is stored`);
      // The node sends the batch again: read by a new worker, stored once.
      const again = await post(failing, n, body(0));
      assert.deepEqual([again.status, again.body.acked, again.body.stored], [200, 10, 10], what);
      assert.equal(await db.count(n.ev.key.fingerprint), 10);
      assert.deepEqual((await db.refusals()).filter((r) => r.fingerprint === n.ev.key.fingerprint), [], 'a 503 is not a refusal of the node');
    }
  });
});

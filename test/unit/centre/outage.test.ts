import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { CentreDb } from '../../../src/centre/centre-db.ts';
import { CentreServer } from '../../../src/centre/centre-server.ts';
import { Shipper } from '../../../src/centre/shipper.ts';
import { testNode, type TestNode } from '../../helpers/centre-node.ts';
import { dropSchema, pgUnavailable, TEST_PG_URL, uniqueSchema } from '../../helpers/postgres.ts';

const unavailable = await pgUnavailable();

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** Waits (bounded) until `ok` holds. */
async function until(ok: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) { if (Date.now() > end) throw new Error(`timed out waiting for ${what}`); await sleep(50); }
}

function startCentreProcess(schema: string, port: number): { child: ChildProcess; lines: string[]; ready: Promise<void> } {
  const child = spawn(process.execPath, ['test/helpers/centre-process.ts', TEST_PG_URL, schema, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: string[] = [];
  let buf = '';
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      for (let i; (i = buf.indexOf('\n')) >= 0; buf = buf.slice(i + 1)) { const l = buf.slice(0, i); lines.push(l); if (l.startsWith('listening')) resolve(); }
    });
    child.once('exit', (code) => reject(new Error(`centre process exited (${code})`)));
  });
  return { child, lines, ready };
}

describe('centre outages: the node keeps recording and catches up; a centre killed mid-batch loses and doubles nothing', { skip: unavailable }, () => {
  const schema = uniqueSchema('cs_outage');
  let db: CentreDb;
  const nodes: TestNode[] = [];
  const children: ChildProcess[] = [];
  before(async () => { db = await CentreDb.open(TEST_PG_URL, schema); });
  after(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await db?.close();
    for (const n of nodes) await n.dispose();
    await dropSchema(schema);
  });

  it('the centre goes away and comes back: the node records meanwhile, the shipper retries and catches up', async () => {
    const n = await testNode(1);
    nodes.push(n);
    const fp = await db.registerNode(n.ev.key.publicPem, 'away');
    const port = await freePort();
    let server = await CentreServer.start({ db, port });
    const errors: Error[] = [];
    const stop = new AbortController();
    const shipper = new Shipper({ url: server.url, key: n.ev.key, log: n.ev.table, batchSize: 2000, idleMs: 50, maxBackoffMs: 200, onError: (e) => errors.push(e) });
    const running = shipper.run(stop.signal);
    try {
      await n.record(3000);
      await until(() => shipper.acked === 3000, 20_000, 'the first records shipped');
      await server.close();
      await n.record(7000); // recorded while the centre is away
      await until(() => errors.length >= 3, 20_000, 'failed attempts while the centre is away');
      assert.equal(await db.count(fp), 3000, 'nothing arrived while the centre was away');
      server = await CentreServer.start({ db, port });
      await until(() => shipper.acked === 10_000, 30_000, 'catch-up');
      assert.equal(await db.count(fp), 10_000);
      assert.equal(await db.distinctSeqs(fp), 10_000);
      assert.deepEqual(await db.gaps(fp), []);
    } finally { stop.abort(); await running; await server.close(); }
  });

  it('kill -9 of the centre in the middle of a batch, restart: every record is there exactly once', async () => {
    const n = await testNode(2);
    nodes.push(n);
    const fp = await db.registerNode(n.ev.key.publicPem, 'killed');
    await n.record(30_000);
    n.ev.log.checkpoint('manual');
    const port = await freePort();
    const first = startCentreProcess(schema, port);
    children.push(first.child);
    await first.ready;
    const stop = new AbortController();
    const errors: Error[] = [];
    const shipper = new Shipper({ url: `http://127.0.0.1:${port}`, key: n.ev.key, log: n.ev.table, batchSize: 10_000, idleMs: 50, maxBackoffMs: 200, onError: (e) => errors.push(e) });
    const running = shipper.run(stop.signal);
    try {
      // The second batch line is the first one with records (the first request only learns the size).
      await until(() => first.lines.filter((l) => l.startsWith('batch 10000')).length >= 2, 30_000, 'a batch in progress');
      first.child.kill('SIGKILL');
      await new Promise((r) => first.child.once('exit', r));
      const acked = shipper.acked ?? 0;
      assert.ok(acked < 30_000, 'killed before the end');
      await until(() => errors.length >= 1, 20_000, 'the shipper noticing');
      const second = startCentreProcess(schema, port);
      children.push(second.child);
      await second.ready;
      await until(() => shipper.acked === 30_000, 60_000, 'catch-up after the restart');
      second.child.kill('SIGTERM');
      await new Promise((r) => second.child.once('exit', r));
    } finally { stop.abort(); await running; }
    assert.equal(await db.count(fp), 30_000);
    assert.equal(await db.distinctSeqs(fp), 30_000, 'no seq twice');
    assert.deepEqual(await db.gaps(fp), []);
    const st = (await db.status()).find((s) => s.fingerprint === fp)!;
    assert.deepEqual([st.acked, st.checkpointsVerified, st.checkpointsPending], [30_000, 1, 0]);
  });

  it('the node is killed in the middle of a batch: its restarted shipper goes on from what the centre acknowledged', async () => {
    const n = await testNode(3);
    nodes.push(n);
    const fp = await db.registerNode(n.ev.key.publicPem, 'node-killed');
    await n.record(12_000);
    let batches = 0;
    const server = await CentreServer.start({ db, onBatch: (_f, k) => { if (k > 0) batches++; } });
    try {
      const first = new AbortController();
      const a = new Shipper({ url: server.url, key: n.ev.key, log: n.ev.table, batchSize: 4000, idleMs: 50 });
      const running = a.run(first.signal);
      await until(() => batches >= 2, 20_000, 'a batch in flight');
      first.abort(); // the node dies: its request is cut wherever it was
      await running;
      const second = new AbortController();
      const b = new Shipper({ url: server.url, key: n.ev.key, log: n.ev.table, batchSize: 4000, idleMs: 50 });
      const again = b.run(second.signal);
      await until(() => b.acked === 12_000, 30_000, 'the restarted shipper catching up');
      second.abort();
      await again;
    } finally { await server.close(); }
    assert.equal(await db.count(fp), 12_000);
    assert.equal(await db.distinctSeqs(fp), 12_000);
    assert.deepEqual(await db.gaps(fp), []);
  });
});

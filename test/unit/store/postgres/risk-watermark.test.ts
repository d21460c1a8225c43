import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import pg from 'pg';
import { scoreRisk } from '../../../../src/app/risk.ts';
import type { PostgresStore } from '../../../../src/store/postgres/postgres-store.ts';
import { pgUnavailable, TEST_PG_URL } from '../../../helpers/postgres.ts';
import { POSTGRES_STORE } from '../../../helpers/store-factory.ts';
import { fixtureContext } from '../../sources/fixture.ts';

const unavailable = await pgUnavailable();
const INSERT = (sid: string, ip: string) => `INSERT INTO deliveries (session_id, decoy_id, remote_ip, remote_port, local_ip, local_port, transport, encryption, started_at, ended_at, peer_id,
  bytes_served, blocks_served, served_ranges, completed, metadata_pieces, metadata_only, disconnect_reason, info_hash)
  VALUES ('${sid}', 1, '${ip}', 40001, '198.18.0.2', 6881, 'tcp', 'none', 1740830400000, 1740830460000, '\\x00', 100, 1, '', 1, 0, 0, 'done', 'x')`;

/** A child process running `body` (an ES module) with `connect()`: a PostgreSQL client of its own on `schema`. */
const child = (schema: string, body: string) => spawn(process.execPath, ['--input-type=module', '-e', `
  import pg from 'pg';
  const connect = async () => { const c = new pg.Client({ connectionString: ${JSON.stringify(TEST_PG_URL)} }); await c.connect(); await c.query('SET search_path TO "${schema}"'); return c; };
  ${body}`], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] });

/** The sources fixture on PostgreSQL, its schema, and a client for the test's own queries. */
async function pgFixture() {
  const f = await fixtureContext(POSTGRES_STORE);
  const db = (f.ctx.store as PostgresStore).database;
  return { f, db, schema: String((db.prepare('SELECT current_schema() AS s').get() as { s: string }).s), c: new pg.Client({ connectionString: TEST_PG_URL }) };
}

/*
 * PostgreSQL's ids commit out of order (postgres/pg-risk.ts): here a writer takes id 11 and commits
 * 2 s later, after id 12 committed. The rollup must not move its watermark past 11 while 11 is in
 * flight, or 11 is never counted. (Fails without the lock in PgRiskStore.scoreAll: 198.51.100.11
 * is missing from both runs.)
 */
it('PostgreSQL: a delivery whose id commits after a higher one is still counted (the rollup waits for it)', { skip: unavailable, timeout: 60_000 }, async () => {
  const { f, schema, c } = await pgFixture();
  try {
    const slow = child(schema, `
      const c = await connect();
      await c.query('BEGIN');
      await c.query(${JSON.stringify(INSERT('slow-11', '198.51.100.11'))});
      console.log('inserted');
      await new Promise((r) => setTimeout(r, 2000));
      await c.query('COMMIT');
      await c.end();`);
    const [line] = await once(slow.stdout, 'data') as [Buffer];
    assert.equal(line.toString().trim(), 'inserted');
    await c.connect();
    await c.query(`SET search_path TO "${schema}"`);
    await c.query(INSERT('fast-12', '198.51.100.12'));
    const ids = (await c.query("SELECT session_id, id FROM deliveries WHERE session_id IN ('slow-11', 'fast-12') ORDER BY id")).rows.map((r) => [r.session_id, Number(r.id)]);
    assert.deepEqual(ids, [['fast-12', 12]], 'id 11 is not committed yet, 12 is');
    const first = scoreRisk(f.ctx, { top: 100 });
    const again = scoreRisk(f.ctx, { top: 100 });
    await once(slow, 'exit');
    for (const r of [first, again]) {
      assert.equal(r.run.deliveriesUpTo, 12);
      assert.deepEqual(r.top.filter((s) => s.ip.startsWith('198.51.100.')).map((s) => [s.ip, s.values.deliveries]).sort(), [['198.51.100.11', 1], ['198.51.100.12', 1]]);
    }
  } finally { await c.end().catch(() => undefined); await f.done(); }
});

/*
 * The extension of the rollup must not hold writers for its length (postgres/pg-risk.ts: 20 s for the
 * first fill at 1,000,000 deliveries). A second connection holds the rollup's watermark row, so the
 * scorer stops inside its extension; meanwhile a writer inserts a delivery, with a lock timeout of 3 s.
 * (Fails with the old LOCK TABLE deliveries IN SHARE ROW EXCLUSIVE MODE around the extension: the
 * insert times out, 'canceling statement due to lock timeout'.) Then every address's deliveries are
 * what counting the deliveries gives: none counted twice, none missed.
 */
it('PostgreSQL: a writer is not held while the risk rollup is extended, and every delivery is counted once', { skip: unavailable, timeout: 60_000 }, async () => {
  const { f, db, schema, c } = await pgFixture();
  try {
    const scorer = Number((db.prepare('SELECT pg_backend_pid() AS p').get() as { p: number }).p);
    const other = child(schema, `
      const holder = await connect(), writer = await connect();
      await holder.query('BEGIN');
      await holder.query('SELECT last_id FROM risk_watermark WHERE one = 1 FOR UPDATE');
      console.log('held');
      // Until the scorer waits for the row: at most 20 s.
      let waiting = false;
      for (let i = 0; i < 400 && !waiting; i++) {
        waiting = (await holder.query("SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND wait_event_type = 'Lock'", [${scorer}])).rowCount === 1;
        if (!waiting) await new Promise((r) => setTimeout(r, 50));
      }
      await writer.query("SET lock_timeout = '3s'");
      const t0 = performance.now();
      let insert;
      try { await writer.query(${JSON.stringify(INSERT('during-extension', '198.51.100.40'))}); insert = 'done'; } catch (e) { insert = e.message; }
      const ms = performance.now() - t0;
      await holder.query('COMMIT');
      await holder.end(); await writer.end();
      console.log(JSON.stringify({ waiting, insert, ms }));`);
    let out = '';
    other.stdout.on('data', (b: Buffer) => { out += b.toString(); });
    while (!out.includes('held')) await once(other.stdout, 'data');
    const first = scoreRisk(f.ctx, { top: 100 });
    await once(other, 'exit');
    const seen = JSON.parse(out.trim().split('\n').at(-1)!) as { waiting: boolean; insert: string; ms: number };
    assert.equal(seen.waiting, true, 'the scorer waited for the watermark row inside its extension');
    assert.equal(seen.insert, 'done', 'the writer was not held by the extension');
    assert.ok(seen.ms < 2000, `the insert took ${seen.ms} ms`);
    assert.equal(first.run.deliveriesUpTo, 10, 'the extension stops at the highest id committed when it began');
    assert.equal(first.top.some((s) => s.ip === '198.51.100.40'), false);
    const again = scoreRisk(f.ctx, { top: 100 });
    assert.equal(again.run.deliveriesUpTo, 11);
    await c.connect();
    await c.query(`SET search_path TO "${schema}"`);
    const truth = (await c.query('SELECT remote_ip AS ip, COUNT(*)::int AS n FROM deliveries WHERE metadata_only = 0 GROUP BY remote_ip ORDER BY 1')).rows.map((r) => [String(r.ip), Number(r.n)]);
    assert.deepEqual(again.top.map((s) => [s.ip, s.values.deliveries]).sort(), truth.sort());
    assert.ok(truth.some(([ip, n]) => ip === '198.51.100.40' && n === 1));
  } finally { await c.end().catch(() => undefined); await f.done(); }
});

/*
 * Two scorers at once on an empty rollup (postgres/pg-risk.ts): both read the same bound, 10; the one
 * that extends second must start from the watermark the first committed, or every delivery is added
 * twice. A third connection holds the watermark row until both wait for it, so they do overlap.
 */
it('PostgreSQL: two scorers extending the rollup at once add every delivery once', { skip: unavailable, timeout: 90_000 }, async () => {
  const { f, db, schema, c } = await pgFixture();
  const src = (p: string) => JSON.stringify(new URL(`../../../../src/${p}`, import.meta.url).href);
  try {
    const scorer = Number((db.prepare('SELECT pg_backend_pid() AS p').get() as { p: number }).p);
    // From a file: the store's synchronous connection (a worker thread) did not start under \`node -e\`.
    const script = join(f.dir, 'second-scorer.mjs');
    writeFileSync(script, `
      import { loadSettings } from ${src('config/load.ts')};
      import { canonicalWeights, parseWeights, riskScore, riskScoreSql, weightsVersion } from ${src('analysis/risk/factors.ts')};
      import { PostgresStore } from ${src('store/postgres/postgres-store.ts')};
      // What scoreRisk (app/risk.ts) asks of the store, on a store of this process's own over the same schema.
      const w = parseWeights(loadSettings({ flags: { dataDir: ${JSON.stringify(join(f.dir, 'data'))} }, env: {} }).riskWeights);
      const store = new PostgresStore({ url: ${JSON.stringify(TEST_PG_URL)}, schema: ${JSON.stringify(schema)} });
      console.log(store.database.prepare('SELECT pg_backend_pid() AS p').get().p);
      await new Promise((r) => process.stdin.once('data', r));
      const run = store.risk.scoreAll({ weights: canonicalWeights(w), weightsVersion: weightsVersion(w), at: Date.now(), score: (v) => riskScore(w, v), scoreSql: (col, log2) => riskScoreSql(w, col, log2) });
      console.log(JSON.stringify(run));
      process.exit(0);`);
    const second = spawn(process.execPath, [script], { cwd: process.cwd(), stdio: ['pipe', 'pipe', 'inherit'] });
    let out2 = '';
    second.stdout.on('data', (b: Buffer) => { out2 += b.toString(); });
    const secondExit = once(second, 'exit');
    while (!out2.includes('\n')) await once(second.stdout, 'data');

    const pids = [scorer, Number(out2.trim())];
    const holder = child(schema, `
      const h = await connect();
      await h.query('BEGIN');
      await h.query('SELECT last_id FROM risk_watermark WHERE one = 1 FOR UPDATE');
      console.log('held');
      // Until both scorers wait for the row: at most 30 s.
      let waiting = 0;
      for (let i = 0; i < 600 && waiting < 2; i++) {
        waiting = (await h.query("SELECT 1 FROM pg_stat_activity WHERE pid = ANY($1) AND wait_event_type = 'Lock'", [${JSON.stringify(pids)}])).rowCount;
        if (waiting < 2) await new Promise((r) => setTimeout(r, 50));
      }
      await h.query('COMMIT');
      await h.end();
      console.log(waiting);`);
    let outH = '';
    holder.stdout.on('data', (b: Buffer) => { outH += b.toString(); });
    const holderExit = once(holder, 'exit');
    while (!outH.includes('held')) await once(holder.stdout, 'data');

    second.stdin.end('go\n');
    const first = scoreRisk(f.ctx, { top: 100 });
    await Promise.all([holderExit, secondExit]);
    assert.equal(outH.trim().split('\n').at(-1), '2', 'both scorers waited for the watermark row at once');
    const other = JSON.parse(out2.trim().split('\n').at(-1)!) as { deliveriesUpTo: number };
    assert.equal(first.run.deliveriesUpTo, 10);
    assert.equal(other.deliveriesUpTo, 10);
    await c.connect();
    await c.query(`SET search_path TO "${schema}"`);
    const truth = (await c.query('SELECT remote_ip AS ip, COUNT(*)::int AS n FROM deliveries WHERE metadata_only = 0 GROUP BY remote_ip')).rows.map((r) => [String(r.ip), Number(r.n)]);
    assert.deepEqual(first.top.map((s) => [s.ip, s.values.deliveries]).sort(), truth.sort());
    const rolled = (await c.query('SELECT ip, SUM(deliveries)::int AS n FROM risk_ip_day GROUP BY ip')).rows.map((r) => [String(r.ip), Number(r.n)]);
    assert.deepEqual(rolled.sort(), truth.sort(), 'the rollup holds every delivery once');
  } finally { await c.end().catch(() => undefined); await f.done(); }
});

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
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

/*
 * PostgreSQL's ids commit out of order (postgres/pg-risk.ts): here a writer takes id 11 and commits
 * 2 s later, after id 12 committed. The rollup must not move its watermark past 11 while 11 is in
 * flight, or 11 is never counted. (Fails without the lock in PgRiskStore.scoreAll: 198.51.100.11
 * is missing from both runs.)
 */
it('PostgreSQL: a delivery whose id commits after a higher one is still counted (the rollup waits for it)', { skip: unavailable, timeout: 60_000 }, async () => {
  const f = await fixtureContext(POSTGRES_STORE);
  const c = new pg.Client({ connectionString: TEST_PG_URL });
  try {
    const db = (f.ctx.store as PostgresStore).database;
    const schema = String((db.prepare('SELECT current_schema() AS s').get() as { s: string }).s);
    const slow = spawn(process.execPath, ['--input-type=module', '-e', `
      import pg from 'pg';
      const c = new pg.Client({ connectionString: ${JSON.stringify(TEST_PG_URL)} });
      await c.connect();
      await c.query('SET search_path TO "${schema}"');
      await c.query('BEGIN');
      await c.query(${JSON.stringify(INSERT('slow-11', '198.51.100.11'))});
      console.log('inserted');
      await new Promise((r) => setTimeout(r, 2000));
      await c.query('COMMIT');
      await c.end();`], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] });
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

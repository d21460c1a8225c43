import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { ensureMonths, migrate } from '../../../../src/store/postgres/migrate.ts';
import { PG_MIGRATIONS } from '../../../../src/store/postgres/migrations/index.ts';
import { PostgresStore } from '../../../../src/store/postgres/postgres-store.ts';
import { SyncConnection } from '../../../../src/store/postgres/sync-connection.ts';
import { dropSchema, pgUnavailable, TEST_PG_URL, uniqueSchema } from '../../../helpers/postgres.ts';
import { sampleDelivery } from '../../../helpers/sample-observations.ts';
import { newDecoy, PAYLOAD } from '../contract/store-contract.ts';

const unavailable = await pgUnavailable();
const schemas: string[] = [];
after(async () => { for (const s of schemas) await dropSchema(s); });

function connect(): { conn: SyncConnection; schema: string } {
  const schema = uniqueSchema('cs_migr');
  schemas.push(schema);
  const conn = new SyncConnection(TEST_PG_URL, schema);
  conn.query(`CREATE SCHEMA "${schema}"`);
  return { conn, schema };
}
const MONTH = (y: number, m: number) => Date.UTC(y, m - 1, 1);

describe('PostgreSQL migrations', { skip: unavailable }, () => {
  it('from an empty database: every migration applies once, and again is a no-op', async () => {
    const { conn } = connect();
    try {
      assert.deepEqual(migrate(conn), PG_MIGRATIONS.map((m) => m.name));
      assert.deepEqual(migrate(conn), []);
      const kinds = conn.query(`SELECT relname, relkind FROM pg_class WHERE relnamespace = current_schema()::regnamespace AND relname IN ('deliveries', 'tracker_announces', 'swarm_presence', 'payloads')`).rows as { relname: string; relkind: string }[];
      assert.deepEqual(Object.fromEntries(kinds.map((k) => [k.relname, k.relkind])), { deliveries: 'p', tracker_announces: 'p', swarm_presence: 'p', payloads: 'r' }, 'observation tables are partitioned');
      const idx = (conn.query(`SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'deliveries'`).rows as { indexname: string; indexdef: string }[]);
      assert.ok(idx.some((i) => /USING brin \(started_at\)/.test(i.indexdef)), 'BRIN on time');
      assert.ok(idx.some((i) => /USING btree \(remote_ip, started_at\)/.test(i.indexdef)), 'B-tree on (ip, time)');
    } finally { await conn.close(); }
  });

  it('from the previous version: rows and ids survive partitioning, and new ids continue', async () => {
    const { conn, schema } = connect();
    try {
      migrate(conn, PG_MIGRATIONS.slice(0, PG_MIGRATIONS.findIndex((m) => m.name === 'pg-partitions-001')));
      conn.query(`INSERT INTO payloads (id, size, label, media_type, added_at) VALUES ($1, 1, 'w', 'video/mp4', 1)`, [PAYLOAD.id]);
      conn.query(`INSERT INTO decoys (info_hash, name, payload_id, size, piece_length, piece_count, info, content_sha256, status, created_at)
        VALUES ($1, 'holiday-video-0001.mp4', $2, 1, 16384, 1, '\\x01', $2, 'active', 1)`, ['1'.padStart(40, '0'), PAYLOAD.id]);
      const cols = `session_id, decoy_id, remote_ip, remote_port, local_ip, local_port, transport, encryption, started_at, ended_at, peer_id, bytes_served, blocks_served, served_ranges, completed, metadata_pieces, metadata_only, disconnect_reason, info_hash`;
      for (const [sid, at] of [['s-old-1', MONTH(2026, 3) + 5], ['s-old-2', MONTH(2026, 4) + 5]] as const) {
        conn.query(`INSERT INTO deliveries (${cols}) VALUES ($1, 1, '198.18.0.9', 1, '198.18.0.2', 6881, 'tcp', 'none', $2, $2, '\\x00', 0, 0, '', 0, 0, 0, 'done', 'x')`, [sid, at]);
      }
    } finally { await conn.close(); } // a failed step must not leave the connection (and the test run) open
    const store = new PostgresStore({ url: TEST_PG_URL, schema });
    try {
      const old = await store.queryDeliveries();
      assert.deepEqual(old.map((d) => d.sessionId), ['s-old-1', 's-old-2']);
      const [d] = await store.insertDecoys([newDecoy(2)], 5);
      await store.appendObservations([sampleDelivery(d!.id, d!.infoHash, { startedAt: MONTH(2026, 4) + 9, endedAt: MONTH(2026, 4) + 10 })]);
      const ids = (store.database.prepare('SELECT id FROM deliveries ORDER BY id').all() as { id: number }[]).map((r) => r.id);
      assert.deepEqual(ids, [1, 2, 3], 'ids continue after the migrated rows');
    } finally { await store.close(); }
  });

  it('a month partition made later takes its rows out of DEFAULT', async () => {
    const { conn } = connect();
    try {
      migrate(conn);
      conn.query(`INSERT INTO payloads (id, size, label, media_type, added_at) VALUES ('p', 1, 'w', 'video/mp4', 1)`);
      conn.query(`INSERT INTO swarm_presence (at, strength, source, info_hash, remote_ip, remote_port, local_ip) VALUES ($1, 'weak', 'dht-get-peers', 'x', '198.18.0.9', 1, '198.18.0.2')`, [MONTH(2025, 7) + 99]);
      assert.equal((conn.query('SELECT count(*) n FROM swarm_presence_default').rows[0] as { n: number }).n, 1);
      ensureMonths(conn, MONTH(2025, 7) + 5);
      assert.equal((conn.query('SELECT count(*) n FROM swarm_presence_default').rows[0] as { n: number }).n, 0);
      assert.equal((conn.query('SELECT count(*) n FROM swarm_presence_y2025m07').rows[0] as { n: number }).n, 1);
      assert.equal((conn.query('SELECT count(*) n FROM swarm_presence').rows[0] as { n: number }).n, 1);
      ensureMonths(conn, MONTH(2025, 7) + 5);
    } finally { await conn.close(); }
  });
});

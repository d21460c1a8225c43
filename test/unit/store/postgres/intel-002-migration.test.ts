import assert from 'node:assert/strict';
import { after, it } from 'node:test';
import { migrate } from '../../../../src/store/postgres/migrate.ts';
import { PG_MIGRATIONS } from '../../../../src/store/postgres/migrations/index.ts';
import { PostgresStore } from '../../../../src/store/postgres/postgres-store.ts';
import { SyncConnection } from '../../../../src/store/postgres/sync-connection.ts';
import { dropSchema, pgUnavailable, TEST_PG_URL, uniqueSchema } from '../../../helpers/postgres.ts';
import { PAYLOAD } from '../contract/store-contract.ts';

const unavailable = await pgUnavailable();
const schemas: string[] = [];
after(async () => { for (const s of schemas) await dropSchema(s); });
const DAY = 86_400_000;
const T = Date.UTC(2025, 2, 3, 10);

function connect(): { conn: SyncConnection; schema: string } {
  const schema = uniqueSchema('cs_s8intel');
  schemas.push(schema);
  const conn = new SyncConnection(TEST_PG_URL, schema);
  conn.query(`CREATE SCHEMA "${schema}"`);
  return { conn, schema };
}

it('pg-intel-002 from an empty database: the last non-metadata delivery column and its time index', { skip: unavailable }, async () => {
  const { conn } = connect();
  try {
    assert.ok(migrate(conn).includes('pg-intel-002'));
    const def = (conn.query(`SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() AND indexname = 'intel_ip_activity_last_delivery'`).rows[0] as { indexdef: string }).indexdef;
    assert.match(def, /\(last_delivery_at\)/);
    assert.deepEqual(migrate(conn), [], 'applied once');
  } finally { await conn.close(); }
});

it('pg-intel-002 from the previous version: the activity rollups computed again from the rolled-up records, each address with its last non-metadata delivery', { skip: unavailable }, async () => {
  const { conn, schema } = connect();
  try {
    migrate(conn, PG_MIGRATIONS.slice(0, PG_MIGRATIONS.findIndex((m) => m.name === 'pg-intel-002')));
    conn.query(`INSERT INTO payloads (id, size, label, media_type, added_at) VALUES ($1, 1, 'w', 'video/mp4', 1)`, [PAYLOAD.id]);
    conn.query(`INSERT INTO decoys (info_hash, name, payload_id, size, piece_length, piece_count, info, content_sha256, status, created_at)
      VALUES ($1, 'holiday-video-0001.mp4', $2, 1, 16384, 1, '\\x01', $2, 'active', 1)`, ['1'.padStart(40, '0'), PAYLOAD.id]);
    // 203.0.113.7: complete on day 0, metadata-only on day 2 (rolled up), partial on day 5 (past the watermark). Id 2 (day 1) was erased by the old code.
    for (const [id, start, completed, metadataOnly] of [[1, T, 1, 0], [3, T + 2 * DAY, 0, 1], [4, T + 5 * DAY, 0, 0]] as const) {
      conn.query(`INSERT INTO deliveries (id, session_id, decoy_id, remote_ip, remote_port, local_ip, local_port, transport, encryption, started_at, ended_at, peer_id,
        bytes_served, blocks_served, served_ranges, completed, metadata_pieces, metadata_only, disconnect_reason, info_hash)
        VALUES ($1, $2, 1, '203.0.113.7', 40001, '198.18.0.2', 6881, 'tcp', 'none', $3, $4, $5, 10, 1, '', $6, 0, $7, 'done', 'x')`, [id, `s-${id}`, start, start + 60_000, new Uint8Array(20), completed, metadataOnly]);
    }
    conn.query(`INSERT INTO intel_ips (ip_id, ip) VALUES (1, '203.0.113.7')`);
    conn.query(`INSERT INTO intel_watermarks (name, last_id) VALUES ('deliveries', 3), ('announces', 0)`);
    conn.query(`INSERT INTO intel_ip_activity (ip_id, first_seen, last_seen, first_exposure_at, first_exposure_decoy, first_contact_at, first_contact_decoy) VALUES (1, $1, $2, $1, 1, $3, 1)`,
      [T, T + 2 * DAY + 60_000, T + DAY]);
    conn.query(`INSERT INTO intel_day_activity (day, deliveries, completed, bytes, metadata_only) VALUES ($1, 1, 1, 10, 0), ($2, 1, 0, 10, 0), ($3, 0, 0, 10, 1)`,
      [Math.floor(T / DAY), Math.floor(T / DAY) + 1, Math.floor(T / DAY) + 2]);
  } finally { await conn.close(); }

  const store = new PostgresStore({ url: TEST_PG_URL, schema });
  try {
    const row = () => ({ ...(store.database.prepare('SELECT first_seen, last_seen, first_exposure_at, first_contact_at, last_delivery_at FROM intel_ip_activity').get() as object) });
    assert.deepEqual(row(), { first_seen: T, last_seen: T + 2 * DAY + 60_000, first_exposure_at: T, first_contact_at: T + 2 * DAY, last_delivery_at: T });
    assert.deepEqual(store.intel.rollupActivity('month', 0, 8.64e15).map((r) => [r.deliveries, r.completed, r.bytes, r.metadataOnly]), [[1, 1, 20, 1]], 'day 1 gone');
    store.intel.refreshRollups();
    assert.equal((row() as { last_delivery_at: number }).last_delivery_at, T + 5 * DAY);
  } finally { await store.close(); }
});

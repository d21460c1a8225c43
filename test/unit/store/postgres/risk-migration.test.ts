import assert from 'node:assert/strict';
import { after, it } from 'node:test';
import { parseWeights, riskScore, riskScoreSql } from '../../../../src/analysis/risk/factors.ts';
import { migrate } from '../../../../src/store/postgres/migrate.ts';
import { PG_MIGRATIONS } from '../../../../src/store/postgres/migrations/index.ts';
import { PostgresStore } from '../../../../src/store/postgres/postgres-store.ts';
import { SyncConnection } from '../../../../src/store/postgres/sync-connection.ts';
import { SETTINGS } from '../../../../src/config/settings.ts';
import { dropSchema, pgUnavailable, TEST_PG_URL, uniqueSchema } from '../../../helpers/postgres.ts';
import { PAYLOAD } from '../contract/store-contract.ts';

const unavailable = await pgUnavailable();
const schemas: string[] = [];
after(async () => { for (const s of schemas) await dropSchema(s); });
const DAY = 86_400_000;

function connect(): { conn: SyncConnection; schema: string } {
  const schema = uniqueSchema('cs_h15risk');
  schemas.push(schema);
  const conn = new SyncConnection(TEST_PG_URL, schema);
  conn.query(`CREATE SCHEMA "${schema}"`);
  return { conn, schema };
}

it('pg-risk-001 from an empty database: the rollup tables, a watermark at 0, and the covering match index', { skip: unavailable }, async () => {
  const { conn } = connect();
  try {
    assert.ok(migrate(conn).includes('pg-risk-001'));
    for (const t of ['risk_ip_day', 'risk_ip_decoy', 'risk_ip_network']) assert.equal((conn.query(`SELECT count(*)::int AS n FROM ${t}`).rows[0] as { n: number }).n, 0, t);
    assert.deepEqual(conn.query('SELECT one, last_id FROM risk_watermark').rows.map((r) => ({ ...(r as object) })), [{ one: 1, last_id: 0 }]);
    const def = (conn.query(`SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() AND indexname = 'source_matches_ip'`).rows[0] as { indexdef: string }).indexdef;
    assert.match(def, /\(run_id, ip, other_kind, source_record_id\)/);
    assert.deepEqual(migrate(conn), [], 'applied once');
  } finally { await conn.close(); }
});

it('pg-risk-001 from the previous version: deliveries made before it are counted by the first score, the watermark moves to them', { skip: unavailable }, async () => {
  const { conn, schema } = connect();
  const at = Date.UTC(2025, 2, 1, 12);
  try {
    migrate(conn, PG_MIGRATIONS.slice(0, PG_MIGRATIONS.findIndex((m) => m.name === 'pg-risk-001')));
    assert.equal((conn.query("SELECT to_regclass('risk_ip_day') AS t").rows[0] as { t: string | null }).t, null);
    conn.query(`INSERT INTO payloads (id, size, label, media_type, added_at) VALUES ($1, 1, 'w', 'video/mp4', 1)`, [PAYLOAD.id]);
    conn.query(`INSERT INTO decoys (info_hash, name, payload_id, size, piece_length, piece_count, info, content_sha256, status, created_at)
      VALUES ($1, 'holiday-video-0001.mp4', $2, 1, 16384, 1, '\\x01', $2, 'active', 1)`, ['1'.padStart(40, '0'), PAYLOAD.id]);
    // 203.0.113.7: complete on day 0, partial on day 2 (a return after the warning), metadata-only on day 3 (not counted).
    for (const [sid, start, completed, metadataOnly] of [['s-1', at, 1, 0], ['s-2', at + 2 * DAY, 0, 0], ['s-3', at + 3 * DAY, 0, 1]] as const) {
      conn.query(`INSERT INTO deliveries (session_id, decoy_id, remote_ip, remote_port, local_ip, local_port, transport, encryption, started_at, ended_at, peer_id,
        bytes_served, blocks_served, served_ranges, completed, metadata_pieces, metadata_only, disconnect_reason, info_hash)
        VALUES ($1, 1, '203.0.113.7', 40001, '198.18.0.2', 6881, 'tcp', 'none', $2, $3, $4, 100, 1, '', $5, 0, $6, 'done', 'x')`, [sid, start, start + 60_000, new Uint8Array(20), completed, metadataOnly]);
    }
  } finally { await conn.close(); }

  const store = new PostgresStore({ url: TEST_PG_URL, schema });
  try {
    const w = parseWeights(SETTINGS.riskWeights.default);
    const run = store.risk.scoreAll({ weights: 'w', weightsVersion: 'v', at: 4, score: (v) => riskScore(w, v), scoreSql: (col, log2) => riskScoreSql(w, col, log2) });
    assert.equal(run.deliveriesUpTo, 3);
    assert.equal(Number((store.database.prepare('SELECT last_id FROM risk_watermark').get() as { last_id: number }).last_id), 3);
    const s = store.risk.score(run.id, '203.0.113.7')!;
    assert.deepEqual(s.values, { deliveries: 2, decoys: 1, completions: 1, daysActive: 2, persistenceDays: 2, returnsAfterWarning: 1, sourceMatches: 0, extraNetworks: 0 });
    assert.equal(s.score, riskScore(w, s.values));
  } finally { await store.close(); }
});

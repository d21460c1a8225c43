import assert from 'node:assert/strict';
import { after, it } from 'node:test';
import { riskScore, parseWeights } from '../../../../src/analysis/risk/factors.ts';
import { migrate } from '../../../../src/store/postgres/migrate.ts';
import { PG_MIGRATIONS } from '../../../../src/store/postgres/migrations/index.ts';
import { PostgresStore } from '../../../../src/store/postgres/postgres-store.ts';
import { SyncConnection } from '../../../../src/store/postgres/sync-connection.ts';
import { SETTINGS } from '../../../../src/config/settings.ts';
import { dropSchema, pgUnavailable, TEST_PG_URL, uniqueSchema } from '../../../helpers/postgres.ts';
import { PAYLOAD } from '../contract/store-contract.ts';

const unavailable = await pgUnavailable();
const schema = uniqueSchema('cs_h3src');
after(async () => { if (!unavailable) await dropSchema(schema); });

it('pg-sources-001 from the previous version: a centre with deliveries gains the sources and risk tables, and they read those deliveries', { skip: unavailable }, async () => {
  const conn = new SyncConnection(TEST_PG_URL, schema);
  const at = Date.UTC(2025, 2, 1, 12);
  try {
    conn.query(`CREATE SCHEMA "${schema}"`);
    const previous = PG_MIGRATIONS.findIndex((m) => m.name === 'pg-sources-001');
    assert.ok(previous > 0, 'pg-sources-001 is listed');
    migrate(conn, PG_MIGRATIONS.slice(0, previous));
    assert.equal((conn.query("SELECT to_regclass('source_records') AS t").rows[0] as { t: string | null }).t, null);
    conn.query(`INSERT INTO payloads (id, size, label, media_type, added_at) VALUES ($1, 1, 'w', 'video/mp4', 1)`, [PAYLOAD.id]);
    conn.query(`INSERT INTO decoys (info_hash, name, payload_id, size, piece_length, piece_count, info, content_sha256, status, created_at)
      VALUES ($1, 'holiday-video-0001.mp4', $2, 1, 16384, 1, '\\x01', $2, 'active', 1)`, ['1'.padStart(40, '0'), PAYLOAD.id]);
    conn.query(`INSERT INTO deliveries (session_id, decoy_id, remote_ip, remote_port, local_ip, local_port, transport, encryption, started_at, ended_at, peer_id,
      bytes_served, blocks_served, served_ranges, completed, metadata_pieces, metadata_only, disconnect_reason, info_hash)
      VALUES ('s-old', 1, '203.0.113.7', 40001, '198.18.0.2', 6881, 'tcp', 'none', $1, $2, $3, 100, 1, '', 1, 0, 0, 'done', 'x')`, [at, at + 60_000, new Uint8Array(20)]);
  } finally { await conn.close(); }

  const store = new PostgresStore({ url: TEST_PG_URL, schema });
  try {
    const applied = (store.database.prepare('SELECT name FROM schema_migrations ORDER BY applied_at, name').all() as { name: string }[]).map((r) => r.name);
    assert.ok(applied.includes('pg-sources-001'));
    const s = store.sources;
    const id = s.beginImport({ source: 'Partner A', receivedAt: 1, importedAt: 2, importedBy: 't', fileName: 'p.csv', format: 'csv', reliability: 'B', credibility: 2, note: '', pid: process.pid });
    s.addRecords(id, [{ line: 2, ip: '203.0.113.7', port: 40001, at: at + 30_000, timestampText: 'x', timezone: null, action: 'download', fileHash: null, fileName: 'f\tg\\h', reference: 'P-1', peerId: '00'.repeat(20) }]);
    s.finishImport(id, 'a'.repeat(64), 10, 1);
    assert.deepEqual(s.records(id, 10).map((r) => [r.ip, r.port, r.fileName, r.peerId]), [['203.0.113.7', 40001, 'f\tg\\h', '00'.repeat(20)]], 'COPY text escaping round-trips');
    const run = s.match(60_000, 3);
    assert.equal(run.matches, 1);
    assert.deepEqual(s.matches(run.id, 10).map((m) => [m.rule, m.otherId, m.peerIdContinuity]), [['ip+remote-port+time', 1, 'same']]);
    const w = parseWeights(SETTINGS.riskWeights.default);
    const risk = store.risk.scoreAll({ weights: 'w', weightsVersion: 'v', at: 4, score: (v) => riskScore(w, v) });
    assert.equal(risk.ips, 1);
    assert.equal(store.risk.score(risk.id, '203.0.113.7')!.values.sourceMatches, 1);
  } finally { await store.close(); }
});

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { it } from 'node:test';
import { MIGRATIONS } from '../../../src/store/sqlite/schema.ts';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.ts';

const DAY = 86_400_000;
const T = Date.UTC(2025, 0, 6, 10);
const activity = (db: { prepare(s: string): { all(): Record<string, unknown>[] } }) => db.prepare(`SELECT i.ip, a.first_seen, a.last_seen, a.first_exposure_at, a.first_exposure_decoy,
  a.first_contact_at, a.first_contact_decoy, a.last_delivery_at FROM intel_ip_activity a JOIN intel_ips i ON i.ip_id = a.ip_id ORDER BY i.ip`).all().map((r) => ({ ...r }));

it('intel-004 from an empty database: the last non-metadata delivery column and its time index', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cs-intel004-'));
  try {
    const store = new SqliteStore(join(dir, 'counterseed.db'));
    await store.close();
    const db = new DatabaseSync(join(dir, 'counterseed.db'), { readOnly: true });
    assert.ok(db.prepare('SELECT name FROM pragma_table_info(?)').all('intel_ip_activity').some((c) => c.name === 'last_delivery_at'));
    assert.deepEqual(db.prepare("SELECT name FROM pragma_index_info('intel_ip_activity_last_delivery')").all().map((r) => r.name), ['last_delivery_at']);
    assert.equal(db.prepare("SELECT COUNT(*) AS n FROM schema_migrations WHERE name = 'intel-004'").get()!.n, 1);
    db.close();
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

it('intel-004 from the previous version: the activity rollups computed again from the rolled-up records (an older erasure left them stale), each address with its last non-metadata delivery', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cs-intel004-'));
  const path = join(dir, 'counterseed.db');
  try {
    const db = new DatabaseSync(path);
    db.exec('CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL) STRICT');
    for (const m of MIGRATIONS.slice(0, MIGRATIONS.findIndex((x) => x.name === 'intel-004'))) {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations VALUES (?, 1)').run(m.name);
    }
    db.exec(`INSERT INTO payloads (id, size, label, media_type, added_at) VALUES ('${'a'.repeat(64)}', 1, 'w', 'video/mp4', 1);
      INSERT INTO decoys (id, info_hash, name, payload_id, size, piece_length, piece_count, info, content_sha256, status, created_at)
        VALUES (1, '${'1'.repeat(40)}', 'holiday-video-0001.mp4', '${'a'.repeat(64)}', 1, 16384, 1, x'01', '${'a'.repeat(64)}', 'active', 1)`);
    const add = db.prepare(`INSERT INTO deliveries (id, session_id, decoy_id, remote_ip, remote_port, local_ip, local_port, transport, encryption, started_at, ended_at,
      peer_id, bytes_served, blocks_served, served_ranges, completed, metadata_pieces, metadata_only, disconnect_reason) VALUES (?, ?, 1, ?, 1, '198.18.0.2', 6881, 'tcp', 'none', ?, ?, x'00', 10, 1, '', ?, 0, ?, 'done')`);
    // 193.0.0.1: complete on day 0, metadata-only on day 2 (rolled up); partial on day 5 (past the watermark).
    // 193.0.0.2: metadata-only only. Id 2 (193.0.0.1, day 1) was erased by the old code, which left it in both activity tables.
    add.run(1, 's1', '193.0.0.1', T, T + 60_000, 1, 0);
    add.run(3, 's3', '193.0.0.1', T + 2 * DAY, T + 2 * DAY + 60_000, 0, 1);
    add.run(4, 's4', '193.0.0.2', T + 3 * DAY, T + 3 * DAY + 60_000, 0, 1);
    add.run(5, 's5', '193.0.0.1', T + 5 * DAY, T + 5 * DAY + 60_000, 0, 0);
    db.exec(`INSERT INTO intel_ips (ip_id, ip) VALUES (1, '193.0.0.1'), (2, '193.0.0.2');
      INSERT INTO intel_watermarks (name, last_id) VALUES ('deliveries', 4), ('announces', 0);
      INSERT INTO intel_ip_activity (ip_id, first_seen, last_seen, first_exposure_at, first_exposure_decoy, first_contact_at, first_contact_decoy)
        VALUES (1, ${T}, ${T + 2 * DAY + 60_000}, ${T}, 1, ${T + DAY}, 1), (2, ${T + 3 * DAY}, ${T + 3 * DAY + 60_000}, NULL, NULL, ${T + 3 * DAY}, 1);
      INSERT INTO intel_day_activity (day, deliveries, completed, bytes, metadata_only) VALUES
        (${T / DAY | 0}, 1, 1, 10, 0), (${(T / DAY | 0) + 1}, 1, 0, 10, 0), (${(T / DAY | 0) + 2}, 0, 0, 10, 1), (${(T / DAY | 0) + 3}, 0, 0, 10, 1)`);
    db.close();

    const store = new SqliteStore(path);
    try {
      const s = (store as unknown as { database: DatabaseSync }).database;
      // 193.0.0.1: its contact of day 1 is gone (erased), its last non-metadata delivery is day 0 (day 2's is metadata-only, day 5's not rolled up yet).
      assert.deepEqual(activity(s), [
        { ip: '193.0.0.1', first_seen: T, last_seen: T + 2 * DAY + 60_000, first_exposure_at: T, first_exposure_decoy: 1, first_contact_at: T + 2 * DAY, first_contact_decoy: 1, last_delivery_at: T },
        { ip: '193.0.0.2', first_seen: T + 3 * DAY, last_seen: T + 3 * DAY + 60_000, first_exposure_at: null, first_exposure_decoy: null, first_contact_at: T + 3 * DAY, first_contact_decoy: 1, last_delivery_at: null },
      ]);
      assert.deepEqual(store.intel.rollupActivity('month', 0, 8.64e15).map((r) => [r.deliveries, r.completed, r.bytes, r.metadataOnly]), [[1, 1, 30, 2]], 'day 1 gone');
      store.intel.refreshRollups();
      assert.equal(activity(s)[0]!.last_delivery_at, T + 5 * DAY, 'the refresh moves it to the partial delivery of day 5');
    } finally { await store.close(); }
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

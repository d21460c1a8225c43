import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, it } from 'node:test';
import { MIGRATIONS } from '../../../src/store/sqlite/schema.ts';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.ts';

const DAY = 86_400_000;
const MON_6_JAN_2025 = Date.UTC(2025, 0, 6);

describe('intel-003 from the previous version (intel-002: weeks by municipality kept by triggers)', () => {
  it('keeps the weekly municipality counts, fills months and years from the rolled-up deliveries, and the next refresh adds the rest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cs-intel-mig-'));
    const path = join(dir, 'counterseed.db');
    try {
      const db = new DatabaseSync(path);
      db.exec('CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL) STRICT');
      for (const m of MIGRATIONS.slice(0, MIGRATIONS.findIndex((x) => x.name === 'intel-003'))) {
        db.exec(m.sql);
        db.prepare('INSERT INTO schema_migrations VALUES (?, 1)').run(m.name);
      }
      db.exec(`INSERT INTO payloads (id, size, label, media_type, added_at) VALUES ('${'a'.repeat(64)}', 1, 'w', 'video/mp4', 1);
        INSERT INTO decoys (id, info_hash, name, payload_id, size, piece_length, piece_count, info, content_sha256, status, created_at)
          VALUES (1, '${'1'.repeat(40)}', 'holiday-video-0001.mp4', '${'a'.repeat(64)}', 1, 16384, 1, x'01', '${'a'.repeat(64)}', 'active', 1)`);
      const add = db.prepare(`INSERT INTO deliveries (session_id, decoy_id, remote_ip, remote_port, local_ip, local_port, transport, encryption, started_at, ended_at,
        peer_id, bytes_served, blocks_served, served_ranges, completed, metadata_pieces, metadata_only, disconnect_reason) VALUES (?, 1, ?, 1, '198.18.0.2', 6881, 'tcp', 'none', ?, ?, x'00', 1, 1, '', 1, 0, 0, 'done')`);
      // Oslo address: Mon 6 Jan and Mon 3 Feb 2025; Bergen address: Tue 7 Jan. Then, after the old refresh, Bergen again on Mon 3 Feb.
      add.run('s1', '193.0.0.1', MON_6_JAN_2025, MON_6_JAN_2025 + 1);
      add.run('s2', '193.0.0.1', MON_6_JAN_2025 + 28 * DAY, MON_6_JAN_2025 + 28 * DAY + 1);
      add.run('s3', '193.0.0.2', MON_6_JAN_2025 + DAY, MON_6_JAN_2025 + DAY + 1);
      // What intel-002's refresh left: addresses, their weeks (the triggers count them), their places, the mark.
      db.exec(`INSERT INTO intel_ips (ip_id, ip) VALUES (1, '193.0.0.1'), (2, '193.0.0.2');
        INSERT INTO intel_ip_week (week_day, ip_id) VALUES (${MON_6_JAN_2025 / DAY}, 1), (${MON_6_JAN_2025 / DAY + 28}, 1), (${MON_6_JAN_2025 / DAY}, 2);
        INSERT INTO ip_enrichment (id, ip_id, enriched_at, placeable, country, county_no, county_name, municipality_no, municipality_name, caveats, databases)
          VALUES (1, 1, 1, 1, 'NO', '03', 'Oslo', '0301', 'Oslo', '', ''), (2, 2, 1, 1, 'NO', '46', 'Vestland', '4601', 'Bergen', '', '');
        INSERT INTO intel_ip_geo (ip_id, enrichment_id, placeable, country, county_no, county_name, municipality_no, municipality_name, caveats)
          VALUES (1, 1, 1, 'NO', '03', 'Oslo', '0301', 'Oslo', ''), (2, 2, 1, 'NO', '46', 'Vestland', '4601', 'Bergen', '');
        INSERT INTO intel_watermarks (name, last_id) VALUES ('deliveries', 3), ('announces', 0)`);
      const weeksBefore = db.prepare("SELECT date(week_day * 86400, 'unixepoch') AS b, place, ips FROM intel_week_municipality WHERE ips > 0 ORDER BY 1, 2").all()
        .map((r) => `${String(r.b)} ${String(r.place)} ${Number(r.ips)}`);
      assert.deepEqual(weeksBefore, ['2025-01-06 0301 1', '2025-01-06 4601 1', '2025-02-03 0301 1']);
      add.run('s4', '193.0.0.2', MON_6_JAN_2025 + 28 * DAY + 5, MON_6_JAN_2025 + 28 * DAY + 6);
      db.close();

      const store = new SqliteStore(path);
      try {
        const weeks = (period: 'week' | 'month' | 'year') => store.intel.rollupUniqueIps(period, 'municipality', 0, 8.64e15).map((r) => `${r.bucket} ${r.key} ${r.ips}`);
        assert.deepEqual(weeks('week'), weeksBefore);
        // January: both addresses; February: Oslo (s4 is not rolled up yet); 2025: both.
        assert.deepEqual(weeks('month'), ['2025-01 0301 1', '2025-01 4601 1', '2025-02 0301 1']);
        assert.deepEqual(weeks('year'), ['2025 0301 1', '2025 4601 1']);
        assert.deepEqual(store.intel.rollupActivity('month', 0, 8.64e15).map((r) => [r.bucket, r.deliveries, r.uniqueIps]), [['2025-01', 2, 2], ['2025-02', 1, 1]]);
        store.intel.refreshRollups();
        assert.deepEqual(weeks('week'), ['2025-01-06 0301 1', '2025-01-06 4601 1', '2025-02-03 0301 1', '2025-02-03 4601 1']);
        assert.deepEqual(weeks('month'), ['2025-01 0301 1', '2025-01 4601 1', '2025-02 0301 1', '2025-02 4601 1']);
        assert.deepEqual(store.intel.rollupActivity('year', 0, 8.64e15).map((r) => [r.bucket, r.deliveries, r.uniqueIps]), [['2025', 4, 2]]);
      } finally { await store.close(); }
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });
});

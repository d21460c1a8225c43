import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { it } from 'node:test';
import { MIGRATIONS } from '../../../src/store/sqlite/schema.ts';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.ts';

const T = Date.UTC(2025, 0, 6, 10);

// Issue 13 (/api/referrals/due p95 <= 100 ms): the due list reads each retention rule's addresses from the activity rollup's place
// index; an existing store gets the places of its addresses' current assessments, as the rules key on them (placeable only).
it('intel-005 from the previous version: each activity row takes its address\'s place from its current assessment, and the place index is made', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cs-intel005-'));
  const path = join(dir, 'counterseed.db');
  try {
    const db = new DatabaseSync(path);
    db.exec('CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL) STRICT');
    for (const m of MIGRATIONS.slice(0, MIGRATIONS.findIndex((x) => x.name === 'intel-005'))) {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations VALUES (?, 1)').run(m.name);
    }
    // 1: placed in Norway, AS2119. 2: an assessment with a country but not placeable. 3: placed in Sweden, no AS number. 4: never assessed.
    db.exec(`INSERT INTO intel_ips (ip_id, ip) VALUES (1, '193.0.0.1'), (2, '193.0.0.2'), (3, '193.0.0.3'), (4, '193.0.0.4');
      INSERT INTO ip_enrichment (id, ip_id, enriched_at, placeable, country, asn, caveats, databases) VALUES
        (1, 1, 1, 1, 'NO', 2119, '', ''), (2, 2, 1, 0, 'NO', 2119, '', ''), (3, 3, 1, 1, 'SE', NULL, '', '');
      INSERT INTO intel_ip_geo (ip_id, enrichment_id, placeable, country, asn, caveats) VALUES (1, 1, 1, 'NO', 2119, ''), (2, 2, 0, 'NO', 2119, ''), (3, 3, 1, 'SE', NULL, '');
      INSERT INTO intel_ip_activity (ip_id, first_seen, last_seen, last_delivery_at) VALUES (1, ${T}, ${T}, ${T}), (2, ${T}, ${T}, ${T}), (3, ${T}, ${T}, NULL), (4, ${T}, ${T}, ${T})`);
    db.close();

    const store = new SqliteStore(path);
    try {
      const s = (store as unknown as { database: DatabaseSync }).database;
      assert.deepEqual(s.prepare('SELECT ip_id, place_country, place_asn FROM intel_ip_activity ORDER BY ip_id').all().map((r) => ({ ...r })), [
        { ip_id: 1, place_country: 'NO', place_asn: 2119 }, { ip_id: 2, place_country: null, place_asn: null },
        { ip_id: 3, place_country: 'SE', place_asn: null }, { ip_id: 4, place_country: null, place_asn: null },
      ]);
      assert.deepEqual(s.prepare("SELECT name FROM pragma_index_info('intel_ip_activity_place_last')").all().map((r) => r.name), ['place_country', 'last_delivery_at', 'place_asn']);
      assert.equal(s.prepare("SELECT COUNT(*) AS n FROM schema_migrations WHERE name = 'intel-005'").get()!.n, 1);
    } finally { await store.close(); }
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

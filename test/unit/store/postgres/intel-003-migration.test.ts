import assert from 'node:assert/strict';
import { after, it } from 'node:test';
import { migrate } from '../../../../src/store/postgres/migrate.ts';
import { PG_MIGRATIONS } from '../../../../src/store/postgres/migrations/index.ts';
import { SyncConnection } from '../../../../src/store/postgres/sync-connection.ts';
import { dropSchema, pgUnavailable, TEST_PG_URL, uniqueSchema } from '../../../helpers/postgres.ts';

const unavailable = await pgUnavailable();
const schemas: string[] = [];
after(async () => { for (const s of schemas) await dropSchema(s); });
const T = Date.UTC(2025, 0, 6, 10);

// SQLite's intel-005 on PostgreSQL (issue 13, /api/referrals/due): each activity row takes its address's place from its current
// assessment (placeable only), and the place index is made.
it('pg-intel-003 from the previous version: the activity rows take their places, and the place index is made', { skip: unavailable }, async () => {
  const schema = uniqueSchema('cs_s9intel');
  schemas.push(schema);
  const conn = new SyncConnection(TEST_PG_URL, schema);
  try {
    conn.query(`CREATE SCHEMA "${schema}"`);
    migrate(conn, PG_MIGRATIONS.slice(0, PG_MIGRATIONS.findIndex((m) => m.name === 'pg-intel-003')));
    conn.query(`INSERT INTO intel_ips (ip_id, ip) VALUES (1, '193.0.0.1'), (2, '193.0.0.2'), (3, '193.0.0.3'), (4, '193.0.0.4')`);
    conn.query(`INSERT INTO ip_enrichment (id, ip_id, enriched_at, placeable, country, asn, caveats, databases) VALUES
      (1, 1, 1, 1, 'NO', 2119, '', ''), (2, 2, 1, 0, 'NO', 2119, '', ''), (3, 3, 1, 1, 'SE', NULL, '', '')`);
    conn.query(`INSERT INTO intel_ip_geo (ip_id, enrichment_id, placeable, country, asn, caveats) VALUES (1, 1, 1, 'NO', 2119, ''), (2, 2, 0, 'NO', 2119, ''), (3, 3, 1, 'SE', NULL, '')`);
    conn.query(`INSERT INTO intel_ip_activity (ip_id, first_seen, last_seen, last_delivery_at) VALUES (1, $1, $1, $1), (2, $1, $1, $1), (3, $1, $1, NULL), (4, $1, $1, $1)`, [T]);
    assert.deepEqual(migrate(conn, PG_MIGRATIONS.slice(0, PG_MIGRATIONS.findIndex((m) => m.name === 'pg-intel-003') + 1)), ['pg-intel-003']);
    assert.deepEqual(conn.query('SELECT ip_id, place_country, place_asn FROM intel_ip_activity ORDER BY ip_id').rows.map((r) => ({ ...(r as object) })), [
      { ip_id: 1, place_country: 'NO', place_asn: 2119 }, { ip_id: 2, place_country: null, place_asn: null },
      { ip_id: 3, place_country: 'SE', place_asn: null }, { ip_id: 4, place_country: null, place_asn: null },
    ]);
    const def = (conn.query(`SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() AND indexname = 'intel_ip_activity_place_last'`).rows[0] as { indexdef: string }).indexdef;
    assert.match(def, /\(place_country, last_delivery_at, place_asn\)/);
  } finally { await conn.close(); }
});

import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { migrate } from '../../../../src/store/postgres/migrate.ts';
import { PG_MIGRATIONS } from '../../../../src/store/postgres/migrations/index.ts';
import { PgGovernanceStore } from '../../../../src/store/postgres/pg-governance-store.ts';
import { PostgresStore } from '../../../../src/store/postgres/postgres-store.ts';
import { SyncConnection } from '../../../../src/store/postgres/sync-connection.ts';
import { dropSchema, pgUnavailable, TEST_PG_URL, uniqueSchema } from '../../../helpers/postgres.ts';
import { PAYLOAD } from '../contract/store-contract.ts';

const unavailable = await pgUnavailable();
const schemas: string[] = [];
after(async () => { for (const s of schemas) await dropSchema(s); });

function connect(): { conn: SyncConnection; schema: string } {
  const schema = uniqueSchema('cs_gmigr');
  schemas.push(schema);
  const conn = new SyncConnection(TEST_PG_URL, schema);
  conn.query(`CREATE SCHEMA "${schema}"`);
  return { conn, schema };
}
const GOVERNANCE = ['pg-web-001', 'pg-retention-002', 'pg-web-002'];
const TABLES = ['web_access_log', 'web_accounts', 'web_legal_holds', 'web_requests', 'web_sessions'];
const tables = (conn: SyncConnection) => (conn.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name LIKE 'web\\_%' ORDER BY table_name`).rows as { table_name: string }[]).map((r) => r.table_name);

describe('PostgreSQL governance migrations (pg-web-001, pg-retention-002, pg-web-002)', { skip: unavailable }, () => {
  it('from an empty database: every table, once; again is a no-op; the governance store opens on it', async () => {
    const { conn, schema } = connect();
    try {
      const done = migrate(conn);
      assert.deepEqual(done.filter((n) => GOVERNANCE.includes(n)), GOVERNANCE);
      assert.deepEqual(migrate(conn), []);
      assert.deepEqual(tables(conn), TABLES);
      // The access log's user column is "user", a reserved word here: quoted in the migration and in the shared SQL.
      const cols = (conn.query(`SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'web_access_log' ORDER BY ordinal_position`).rows as { column_name: string }[]).map((r) => r.column_name);
      assert.deepEqual(cols, ['seq', 'at', 'user', 'action', 'what', 'purpose', 'prev_hash', 'hash']);
      assert.throws(() => conn.query(`INSERT INTO web_accounts (username, role, password_hash, created_at) VALUES ('x', 'root', 'h', 1)`), /check constraint/, 'roles are checked');
    } finally { await conn.close(); }
    const gov = new PgGovernanceStore({ url: TEST_PG_URL, schema });
    try {
      const a = gov.accounts.add({ username: 'anna', role: 'analyst', passwordHash: 'h', totpSecret: null, createdAt: 1 });
      assert.equal(gov.accounts.byId(a.id)!.username, 'anna');
    } finally { gov.close(); }
  });

  it('pg-web-002 from the previous version (TOTP replay, ASVS 2.8.4): accounts kept, no step used yet; added on the governance store\'s open, then each step once', async () => {
    const { conn, schema } = connect();
    try {
      migrate(conn, PG_MIGRATIONS.slice(0, PG_MIGRATIONS.findIndex((m) => m.name === 'pg-web-002')));
      conn.query(`INSERT INTO web_accounts (username, role, password_hash, totp_secret, failed_logins, created_at) VALUES ('tina', 'auditor', 'h', 'ABC', 1, 5)`);
      assert.equal(conn.query(`SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'web_accounts' AND column_name = 'totp_last_step'`).rows.length, 0);
    } finally { await conn.close(); }
    const gov = new PgGovernanceStore({ url: TEST_PG_URL, schema });
    try {
      const a = gov.accounts.byName('tina')!;
      assert.deepEqual([a.totpSecret, a.failedLogins, a.createdAt, a.totpLastStep], ['ABC', 1, 5, null]);
      assert.deepEqual([gov.accounts.useTotpStep(a.id, 7), gov.accounts.useTotpStep(a.id, 7), gov.accounts.useTotpStep(a.id, 6)], [true, false, false]);
      assert.equal(gov.accounts.byId(a.id)!.totpLastStep, 7);
    } finally { gov.close(); }
  });

  it('from the previous version (a centre database before the web app came to PostgreSQL): its rows stay, the governance tables are added on open', async () => {
    const { conn, schema } = connect();
    try {
      migrate(conn, PG_MIGRATIONS.slice(0, PG_MIGRATIONS.findIndex((m) => m.name === 'pg-web-001')));
      assert.deepEqual(tables(conn), []);
      conn.query(`INSERT INTO payloads (id, size, label, media_type, added_at) VALUES ($1, 1, 'w', 'video/mp4', 1)`, [PAYLOAD.id]);
      conn.query(`INSERT INTO evidence_erased (seq, kind, row_id, at, erased_at, erasure) VALUES (3, 'delivery', 7, 5, 6, 'erasure deliveries x')`);
    } finally { await conn.close(); }
    // `users add` opens only the governance store: it brings the database to the current version.
    const gov = new PgGovernanceStore({ url: TEST_PG_URL, schema });
    const store = new PostgresStore({ url: TEST_PG_URL, schema });
    try {
      assert.equal(store.getPayload(PAYLOAD.id)?.label, 'w');
      assert.equal(Number((store.database.prepare('SELECT count(*) AS n FROM evidence_erased').get() as { n: number }).n), 1);
      const names = (store.database.prepare('SELECT name FROM schema_migrations').all() as { name: string }[]).map((r) => r.name);
      assert.deepEqual(PG_MIGRATIONS.map((m) => m.name).filter((n) => !names.includes(n)), [], 'every migration applied');
      gov.holds.place({ ip: '198.18.0.1', caseRef: 'case-1', placedBy: 'anna', placedAt: 1 });
      assert.deepEqual(gov.holds.active().map((h) => h.ip), ['198.18.0.1']);
    } finally { gov.close(); await store.close(); }
  });
});

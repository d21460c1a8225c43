import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PostgresStore } from '../../../../src/store/postgres/postgres-store.ts';
import { dropSchema, pgUnavailable, TEST_PG_URL, uniqueSchema } from '../../../helpers/postgres.ts';
import { intelContract } from './intel-contract.ts';

// The same intelligence contract as SQLite (intel-sqlite.test.ts), against the PostgreSQL store: a schema of its own.
const unavailable = await pgUnavailable();
if (unavailable) {
  test('intelligence contract: PostgreSQL', { skip: unavailable }, () => {});
} else {
  intelContract({
    name: 'PostgreSQL',
    open() {
      const schema = uniqueSchema();
      return { store: new PostgresStore({ url: TEST_PG_URL, schema }), dispose: async () => dropSchema(schema) };
    },
  });
}

if (!unavailable) {
  test('PostgreSQL synthetic writer: the indexes it drops for a load come back valid on every partition', async () => {
    const schema = uniqueSchema();
    const store = new PostgresStore({ url: TEST_PG_URL, schema });
    try {
      store.intel.setPurpose('synthetic', 'test', 0);
      const invalid = () => Number((store.database.prepare("SELECT COUNT(*) AS n FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relnamespace = current_schema()::regnamespace AND NOT i.indisvalid").get() as { n: number }).n);
      const ipIndex = () => Number((store.database.prepare("SELECT COUNT(*) AS n FROM pg_indexes WHERE schemaname = current_schema() AND tablename LIKE 'deliveries_%' AND indexdef LIKE '%(remote_ip, started_at)%'").get() as { n: number }).n);
      const before = ipIndex();
      assert.ok(before > 0);
      const w = store.intel.syntheticWriter();
      assert.equal(ipIndex(), 0, 'dropped for the load');
      w.finish();
      // The definitions read back as CREATE INDEX ... ON ONLY: the parent alone, invalid, and no partition indexed (the old code).
      assert.equal(invalid(), 0);
      assert.equal(ipIndex(), before);
    } finally { await store.close(); await dropSchema(schema); }
  });
}

if (!unavailable) {
  test('PostgreSQL: a statement run again is a named prepared statement, parsed once per connection (dossier planning cost)', async () => {
    const schema = uniqueSchema();
    const store = new PostgresStore({ url: TEST_PG_URL, schema });
    try {
      const prepared = () => (store.database.prepare('SELECT statement FROM pg_prepared_statements').all() as { statement: string }[])
        .filter((r) => r.statement.includes('UNION ALL')).length;
      store.intel.dossierRecords('192.0.2.1', 10);
      assert.equal(prepared(), 0, 'once: not named');
      store.intel.dossierRecords('192.0.2.2', 10);
      assert.equal(prepared(), 1, 'twice: named');
      for (let i = 3; i < 10; i++) assert.deepEqual(store.intel.dossierRecords(`192.0.2.${i}`, 10), { deliveries: [], announces: [], presence: [] });
      assert.equal(prepared(), 1, 'and reused');
    } finally { await store.close(); await dropSchema(schema); }
  });
}

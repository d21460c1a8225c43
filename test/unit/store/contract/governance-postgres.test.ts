import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PostgresStore } from '../../../../src/store/postgres/postgres-store.ts';
import { PgGovernanceStore } from '../../../../src/store/postgres/pg-governance-store.ts';
import { dropSchema, pgUnavailable, TEST_PG_URL, uniqueSchema } from '../../../helpers/postgres.ts';
import { governanceContract } from './governance-contract.ts';

// The same governance contract as SQLite (governance-sqlite.test.ts), against PostgreSQL as `serve
// --store postgres://` opens it: the store's database (migrated by the store), the governance store on
// a connection of its own. Each test in a schema of its own.
const unavailable = await pgUnavailable();
if (unavailable) {
  test('governance store contract: PostgreSQL', { skip: unavailable }, () => {});
} else {
  governanceContract({
    name: 'PostgreSQL',
    async open() {
      const schema = uniqueSchema('cs_gov');
      const store = new PostgresStore({ url: TEST_PG_URL, schema });
      const gov = new PgGovernanceStore({ url: TEST_PG_URL, schema });
      return { gov, dispose: async () => { gov.close(); await store.close(); await dropSchema(schema); } };
    },
  });
}

if (!unavailable) {
  test('PostgreSQL access log: two processes appending at once never fork the chain (the append locks the table)', async () => {
    const { Worker } = await import('node:worker_threads');
    const { allAccessEntries, verifyAccessLog } = await import('../../../../src/app/access-log.ts');
    const schema = uniqueSchema('cs_gov');
    const store = new PostgresStore({ url: TEST_PG_URL, schema });
    const gov = new PgGovernanceStore({ url: TEST_PG_URL, schema });
    try {
      const N = 40;
      const run = (user: string) => new Promise<void>((resolve, reject) => {
        const w = new Worker(new URL('../../../helpers/access-log-writer.ts', import.meta.url), { workerData: { url: TEST_PG_URL, schema, n: N, user } });
        w.once('error', reject);
        w.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`writer ${user} exited ${code}`))));
      });
      await Promise.all([run('anna'), run('arne')]);
      const entries = [...allAccessEntries({ gov, now: Date.now })];
      assert.equal(entries.length, 2 * N);
      const v = verifyAccessLog(entries);
      assert.equal(v.ok, true, v.problems.slice(0, 3).join('; '));
    } finally { gov.close(); await store.close(); await dropSchema(schema); }
  });
}

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

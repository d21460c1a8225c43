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

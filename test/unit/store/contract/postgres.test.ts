import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { PostgresStore } from '../../../../src/store/postgres/postgres-store.ts';
import { dropSchema, pgUnavailable, TEST_PG_URL, uniqueSchema } from '../../../helpers/postgres.ts';
import { storeContract } from './store-contract.ts';

// The same contract suite as SQLite (sqlite.test.ts), against the PostgreSQL store: a schema of its own per test.
const unavailable = await pgUnavailable();
if (unavailable) {
  test('store contract: PostgreSQL', { skip: unavailable }, () => {});
} else {
  storeContract({
    name: 'PostgreSQL',
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'cs-contract-pg-'));
      const schema = uniqueSchema();
      const store = new PostgresStore({ url: TEST_PG_URL, schema });
      return {
        store, dir,
        dispose: async () => { await store.close(); await dropSchema(schema); rmSync(dir, { recursive: true, force: true }); },
      };
    },
  });
}

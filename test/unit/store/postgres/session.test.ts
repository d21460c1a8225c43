import assert from 'node:assert/strict';
import { after, it } from 'node:test';
import { PostgresStore } from '../../../../src/store/postgres/postgres-store.ts';
import { dropSchema, pgUnavailable, TEST_PG_URL, uniqueSchema } from '../../../helpers/postgres.ts';

const unavailable = await pgUnavailable();
const schema = uniqueSchema('cs_session');
after(async () => { if (!unavailable) await dropSchema(schema); });

it('the store session runs without JIT (compiling cost 12.5 of 16.5 s of the referrals due query at 1M deliveries)', { skip: unavailable }, async () => {
  const store = new PostgresStore({ url: TEST_PG_URL, schema });
  try {
    assert.deepEqual(store.database.prepare('SHOW jit').get(), { jit: 'off' });
  } finally { await store.close(); }
});

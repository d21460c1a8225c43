import { test } from 'node:test';
import { pgUnavailable } from '../../../helpers/postgres.ts';
import { POSTGRES_STORE } from '../../../helpers/store-factory.ts';
import { sourcesContract } from './sources-contract.ts';

// The same contract as SQLite (sources-sqlite.test.ts), against the PostgreSQL store: a schema of its own per fixture.
const unavailable = await pgUnavailable();
if (unavailable) test('sources contract: PostgreSQL', { skip: unavailable }, () => {});
else sourcesContract(POSTGRES_STORE);

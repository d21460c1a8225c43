import { test } from 'node:test';
import { pgUnavailable } from '../../../helpers/postgres.ts';
import { POSTGRES_STORE } from '../../../helpers/store-factory.ts';
import { rollupErasureContract } from './rollup-erasure-contract.ts';

// The same contract as SQLite (rollup-erasure-sqlite.test.ts), against the PostgreSQL store: a schema of its own per fixture.
const unavailable = await pgUnavailable();
if (unavailable) test('rollups after erasure: PostgreSQL', { skip: unavailable }, () => {});
else rollupErasureContract(POSTGRES_STORE);

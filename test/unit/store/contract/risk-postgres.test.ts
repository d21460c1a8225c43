import { test } from 'node:test';
import { pgUnavailable } from '../../../helpers/postgres.ts';
import { POSTGRES_STORE } from '../../../helpers/store-factory.ts';
import { riskContract } from './risk-contract.ts';

// The same contract as SQLite (risk-sqlite.test.ts), against the PostgreSQL store: a schema of its own per fixture.
const unavailable = await pgUnavailable();
if (unavailable) test('risk contract: PostgreSQL', { skip: unavailable }, () => {});
else riskContract(POSTGRES_STORE);

import { test } from 'node:test';
import { pgUnavailable } from '../../../helpers/postgres.ts';
import { POSTGRES_STORE } from '../../../helpers/store-factory.ts';
import { casesContract } from './cases-contract.ts';

// The same contract as SQLite (cases-sqlite.test.ts), against the PostgreSQL store: a schema of its own per fixture.
const unavailable = await pgUnavailable();
if (unavailable) test('cases contract: PostgreSQL', { skip: unavailable }, () => {});
else casesContract(POSTGRES_STORE);

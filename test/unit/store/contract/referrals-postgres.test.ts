import { test } from 'node:test';
import { pgUnavailable } from '../../../helpers/postgres.ts';
import { POSTGRES_STORE } from '../../../helpers/store-factory.ts';
import { referralsContract } from './referrals-contract.ts';

// The same contract as SQLite (referrals-sqlite.test.ts), against the PostgreSQL store: a schema of its own per fixture.
const unavailable = await pgUnavailable();
if (unavailable) test('referrals contract: PostgreSQL', { skip: unavailable }, () => {});
else referralsContract(POSTGRES_STORE);

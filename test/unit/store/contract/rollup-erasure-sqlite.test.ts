import { SQLITE_STORE } from '../../../helpers/store-factory.ts';
import { rollupErasureContract } from './rollup-erasure-contract.ts';

// Erasure and the intelligence rollups, on the embedded store (rollup-erasure-postgres.test.ts: the same on PostgreSQL).
rollupErasureContract(SQLITE_STORE);

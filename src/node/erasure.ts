import { InputError } from '../domain/errors.ts';
import type { ErasureTable } from '../store/erasure.ts';
import type { Store } from '../store/store.ts';
import { PostgresStore } from '../store/postgres/postgres-store.ts';
import { SqliteErasureTable } from '../store/sqlite/erasure-table.ts';
import { RiskRollup } from '../store/sqlite/sources/risk-rollup.ts';
import { SqliteStore } from '../store/sqlite/sqlite-store.ts';

/**
 * The erasure table of the store openContext opened: THE place that chooses its implementation.
 * Both stores run the same SQL (store/sqlite/erasure-table.ts) over their own connection and transaction.
 */
export function openErasure(store: Store): ErasureTable {
  // The risk rollup (store/sqlite/sources/risk-rollup.ts; both stores) counts deliveries: the addresses
  // that lost some are recounted, in the erasure's transaction.
  if (store instanceof SqliteStore) return new SqliteErasureTable(store.database, (fn) => store.transaction(fn), (ips) => new RiskRollup(store.database).rebuild(ips));
  if (store instanceof PostgresStore) return new SqliteErasureTable(store.database, (fn) => store.transaction(fn), (ips) => new RiskRollup(store.database).rebuild(ips));
  throw new InputError('this store has no erasure table (docs/retention.md)');
}

import { InputError } from '../domain/errors.ts';
import type { ErasureTable } from '../store/erasure.ts';
import type { Store } from '../store/store.ts';
import { PgCentreErasure } from '../store/postgres/centre-erasure.ts';
import { PG_INTEL } from '../store/postgres/intel-dialect.ts';
import { PostgresStore } from '../store/postgres/postgres-store.ts';
import { SqliteErasureTable } from '../store/sqlite/erasure-table.ts';
import { SQLITE_INTEL } from '../store/sqlite/intel/intel-dialect.ts';
import { SqliteStore } from '../store/sqlite/sqlite-store.ts';

/**
 * The erasure table of the store openContext opened: THE place that chooses its implementation.
 * Both stores run the same SQL (store/sqlite/erasure-table.ts) over their own connection and transaction.
 */
export function openErasure(store: Store): ErasureTable {
  // The rollups an erasure must follow (intelligence pairs, the risk rollup) use the store's date arithmetic.
  if (store instanceof SqliteStore) return new SqliteErasureTable(store.database, (fn) => store.transaction(fn), SQLITE_INTEL);
  if (store instanceof PostgresStore) return new SqliteErasureTable(store.database, (fn) => store.transaction(fn), PG_INTEL);
  throw new InputError('this store has no erasure table (docs/retention.md)');
}

/** The erasure of records shipped by nodes, where the store is a centre's PostgreSQL with registered nodes; else undefined. */
export function openCentreErasure(store: Store): PgCentreErasure | undefined {
  if (!(store instanceof PostgresStore)) return undefined;
  const c = new PgCentreErasure(store.database, (fn) => store.transaction(fn));
  return c.isCentre() ? c : undefined;
}

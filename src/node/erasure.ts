import { InputError } from '../domain/errors.ts';
import type { ErasureTable } from '../store/erasure.ts';
import type { Store } from '../store/store.ts';
import { SqliteErasureTable } from '../store/sqlite/erasure-table.ts';
import { SqliteStore } from '../store/sqlite/sqlite-store.ts';

/**
 * The erasure table of a data directory's store: THE place that chooses its implementation, beside
 * openContext. SQLite today; the PostgreSQL store refuses until it has tombstones (docs/retention.md).
 */
export function openErasure(store: Store): ErasureTable {
  if (store instanceof SqliteStore) return new SqliteErasureTable(store.database, (fn) => store.transaction(fn));
  throw new InputError('erasure runs on the SQLite store of a node\'s data directory; the PostgreSQL store has no tombstones yet (docs/retention.md)');
}

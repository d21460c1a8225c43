import type { Settings } from '../../src/config/settings.ts';
import { openSqliteStore } from '../../src/node/context.ts';
import { PostgresStore } from '../../src/store/postgres/postgres-store.ts';
import type { Store } from '../../src/store/store.ts';
import { dropSchema, TEST_PG_URL, uniqueSchema } from './postgres.ts';

/**
 * How a contract suite gets an empty store of the kind under test, for a data directory's settings
 * (the directory keeps PURPOSE, payloads and the node key either way). One suite per interface,
 * run once per implementation: the suite takes a factory, the runner files pick it.
 */
export interface StoreFactory {
  readonly name: string;
  open(settings: Settings): { store: Store; dispose(): Promise<void> };
}

/** The embedded store: counterseed.db in the data directory. */
export const SQLITE_STORE: StoreFactory = { name: 'SQLite', open: (settings) => ({ store: openSqliteStore(settings), dispose: async () => {} }) };

/** PostgreSQL (TEST_PG_URL), each store in a schema of its own, dropped by dispose (after the context closed the store). */
export const POSTGRES_STORE: StoreFactory = {
  name: 'PostgreSQL',
  open() {
    const schema = uniqueSchema();
    return { store: new PostgresStore({ url: TEST_PG_URL, schema }), dispose: async () => dropSchema(schema) };
  },
};

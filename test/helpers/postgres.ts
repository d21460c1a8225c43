import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * PostgreSQL for tests: the server CI starts (scripts/install-system-deps.sh), trust auth on
 * loopback. Override with COUNTERSEED_TEST_PG (a postgres:// URL). Each test works in a schema of
 * its own with a unique name, dropped afterwards, so parallel test files never collide.
 */
export const TEST_PG_URL = process.env.COUNTERSEED_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Why PostgreSQL tests cannot run here, or undefined when they can (for `{ skip }`). */
export async function pgUnavailable(url = TEST_PG_URL): Promise<string | undefined> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await c.connect();
    await c.query('SELECT 1');
    return undefined;
  } catch (e) {
    return `PostgreSQL is not reachable at ${url} (${(e as Error).message}): start it (scripts/install-system-deps.sh does) or set COUNTERSEED_TEST_PG`;
  } finally { await c.end().catch(() => undefined); }
}

export function uniqueSchema(prefix = 'cs_test'): string {
  return `${prefix}_${process.pid}_${randomBytes(6).toString('hex')}`;
}

/** Drops a test schema and everything in it. */
export async function dropSchema(schema: string, url = TEST_PG_URL): Promise<void> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  await c.connect();
  try { await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`); } finally { await c.end(); }
}

/**
 * A database of its own on the test server, for tests that open the store by URL as a command does
 * (`--store postgres://…`: every connection, a worker thread's too, finds the same tables without a
 * search_path). Named after the test server's database (`test` -> `test_<pid>_<hex>`), dropped by `drop`.
 */
export async function createTestDatabase(url = TEST_PG_URL): Promise<{ readonly url: string; drop(): Promise<void> }> {
  const u = new URL(url);
  const name = `${u.pathname.slice(1) || 'test'}_${process.pid}_${randomBytes(4).toString('hex')}`.toLowerCase().replace(/[^a-z0-9_]/g, '_').slice(0, 63);
  const admin = async (sql: string) => {
    const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
    await c.connect();
    try { await c.query(sql); } finally { await c.end(); }
  };
  await admin(`CREATE DATABASE "${name}"`);
  const own = new URL(url);
  own.pathname = `/${name}`;
  return { url: own.toString(), drop: () => admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}

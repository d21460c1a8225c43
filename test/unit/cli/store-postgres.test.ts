import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import pg from 'pg';
import { dropSchema, pgUnavailable, TEST_PG_URL, uniqueSchema } from '../../helpers/postgres.ts';

const run = promisify(execFile);
const unavailable = await pgUnavailable();

/** The CLI, as an operator runs it; resolves with the exit code whatever it is. */
async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, ['src/cli/main.ts', ...args], { timeout: 60_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
}

/** One query on a connection of its own, closed whatever happens (an open client keeps the test process alive). */
async function query(sql: string): Promise<pg.QueryResult> {
  const c = new pg.Client({ connectionString: TEST_PG_URL });
  try {
    await c.connect();
    return await c.query(sql);
  } finally { await c.end().catch(() => undefined); }
}

describe('the CLI against a PostgreSQL store (--store postgres://)', { skip: unavailable }, () => {
  const schema = uniqueSchema('cs_cli');
  const dir = mkdtempSync(join(tmpdir(), 'cs-cli-pg-'));
  const url = `${TEST_PG_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  after(async () => { await dropSchema(schema); rmSync(dir, { recursive: true, force: true }); });

  it('payloads, decoys and deliveries are read from PostgreSQL; a seed node refuses it', async () => {
    await query(`CREATE SCHEMA "${schema}"`);
    const list = await cli(['--data', dir, '--store', url, 'payload', 'list']);
    assert.equal(list.code, 0, list.stderr);
    const { rows } = await query(`SELECT id FROM "${schema}".payloads`);
    assert.equal(rows.length, 1, 'the default payload was registered in PostgreSQL');
    assert.match(list.stdout, new RegExp(String(rows[0].id)));
    assert.equal((await cli(['--data', dir, '--store', url, 'deliveries'])).code, 0);
    const seed = await cli(['--data', dir, '--store', url, 'seed', '--port', '0']);
    assert.deepEqual([seed.code, /keeps its own SQLite store/.test(seed.stderr)], [2, true]);
  });

  it('an unreachable PostgreSQL is the environment (74), with a message and no stack trace', async () => {
    const r = await cli(['--data', dir, '--store', 'postgres://postgres@127.0.0.1:1/none', 'payload', 'list']);
    assert.equal(r.code, 74);
    assert.match(r.stderr, /cannot connect to PostgreSQL/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });
});

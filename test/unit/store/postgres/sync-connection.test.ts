import assert from 'node:assert/strict';
import { it } from 'node:test';
import { PgError, SyncConnection } from '../../../../src/store/postgres/sync-connection.ts';

/** Needs no PostgreSQL: a stand-in worker answers (test/helpers/misreplying-sync-worker.ts). */
const fake = () => new SyncConnection('postgres://unused', undefined, new URL('../../../helpers/misreplying-sync-worker.ts', import.meta.url));
const answer = (c: SyncConnection, sql: string, v: unknown) => (c.query(sql, [v]).rows[0] as { answer: unknown }).answer;

it('a late wake-up of the main thread is not taken for the next reply (the next query gets its own answer, never the one before)', async () => {
  // The s10 web-routes bench failure: a wake-up left over from one reply ended the wait for the next
  // request before its reply came ("signalled without a reply"); that reply then answered the request
  // after it, and every later one got its predecessor's answer (a session read as an access-log row).
  const c = fake();
  try {
    assert.equal(answer(c, 'STALE NOTIFY', 1), 1);
    assert.equal(answer(c, 'SLOW', 2), 2); // the left-over wake-up comes at 50 ms, the reply at 200 ms
    assert.equal(answer(c, 'SELECT', 3), 3);
    assert.equal(answer(c, 'SELECT', 4), 4);
  } finally { await c.close(); }
});

it('a reply that is not the request\'s is never used: the query throws and the connection closes', async () => {
  const c = fake();
  try {
    assert.equal(answer(c, 'TWICE', 'first'), 'first');
    assert.throws(() => c.query('SELECT', ['second']), (e: unknown) => e instanceof PgError && /answered request 1 when request 2 was expected/.test(e.message));
    assert.equal(c.isOpen, false);
    assert.throws(() => c.query('SELECT', ['third']), /closed/);
  } finally { await c.close(); }
});

it('replies in turn over many requests, each with its own answer', async () => {
  const c = fake();
  try {
    for (let i = 0; i < 2000; i++) assert.equal(answer(c, 'SELECT', i), i);
  } finally { await c.close(); }
});

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { addUser, resetUser } from '../../../src/app/accounts.ts';
import { base32Decode, hotp } from '../../../src/app/totp.ts';
import type { GovernanceStore } from '../../../src/store/governance.ts';
import { PgGovernanceStore } from '../../../src/store/postgres/pg-governance-store.ts';
import { PostgresStore } from '../../../src/store/postgres/postgres-store.ts';
import { SqliteGovernanceStore } from '../../../src/store/sqlite/governance-store.ts';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.ts';
import { createTestDatabase, pgUnavailable } from '../../helpers/postgres.ts';
import { call, PASSWORD, webFixture, type StoreKind, type WebFixture } from './fixture.ts';

/**
 * OWASP ASVS 2.8.4: a time-based code can be used only once within its validity period. The codes are
 * computed for the app's own clock (the fixture's `now`), which the tests move: no sleeping. On each
 * store, since the check lives in the database (web-002 / pg-web-002, accounts.useTotpStep).
 */
const pgSkip = await pgUnavailable();
const STEP = 30_000;
/** RFC 6238's time step at `ms` (T0 = 0, X = 30 s), written out here so the test does not lean on the code it checks. */
const totpStepAt = (ms: number): number => Math.floor(ms / STEP);

for (const kind of ['sqlite', 'postgres'] as StoreKind[]) describe(`TOTP replay: ${kind}`, { skip: kind === 'postgres' && pgSkip }, () => {
  let f: WebFixture;
  // The middle of a step, so one step either side is the whole window.
  let clock = totpStepAt(Date.now()) * STEP + STEP / 2;
  before(async () => { f = await webFixture({ store: kind, now: () => clock }); });
  after(async () => { await f?.close(); });

  let n = 0;
  async function totpUser(): Promise<{ username: string; code: (step: number) => string }> {
    const username = `tina${++n}`;
    const { totpSecret } = await addUser(f.g, { username, role: 'auditor', password: PASSWORD, totp: true });
    const key = base32Decode(totpSecret!);
    return { username, code: (step) => hotp(key, step) };
  }
  const login = (username: string, totp: string) => call(f.app, 'POST', '/api/login', undefined, { username, password: PASSWORD, totp });
  const failed = (username: string) => f.gov.accounts.byName(username)!.failedLogins;

  it('the same code twice: the second login is refused as a wrong code is, and counted as a failed attempt (old code: 200)', async () => {
    const { username, code } = await totpUser();
    const now = totpStepAt(clock);
    const wrong = await login(username, code(now + 5));
    const wrongBody = await wrong.text();
    assert.equal(wrong.status, 401);
    assert.equal(failed(username), 1);
    assert.equal((await login(username, code(now))).status, 200);
    assert.equal(failed(username), 0, 'a success resets the count');
    const replay = await login(username, code(now));
    assert.equal(replay.status, 401, 'the same code again');
    assert.equal(await replay.text(), wrongBody, 'the same answer as a wrong code');
    assert.equal(failed(username), 1, 'counted like a wrong code');
    clock += 10_000;
    assert.equal((await login(username, code(now))).status, 401, 'still refused later in its window');
    // The login form (pages/routes.ts) goes through the same check.
    const form = await f.app.request('http://127.0.0.1:8080/login', {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://127.0.0.1:8080' },
      body: new URLSearchParams({ username, password: PASSWORD, totp: code(now) }).toString(),
    });
    assert.equal(form.status, 401, 'replayed through the form');
    assert.equal(failed(username), 3);
    clock += STEP;
    assert.equal((await login(username, code(totpStepAt(clock)))).status, 200, 'the next step\'s code is good');
  });

  it('an earlier step\'s code, still within the window, after a later step\'s was used: refused (old code: 200)', async () => {
    const { username, code } = await totpUser();
    const now = totpStepAt(clock);
    assert.equal((await login(username, code(now + 1))).status, 200, 'a code one step ahead (a fast phone clock)');
    assert.equal((await login(username, code(now))).status, 401, 'the current step, earlier than the one used');
    assert.equal((await login(username, code(now - 1))).status, 401, 'the previous step');
    assert.equal(failed(username), 2);
    clock += 2 * STEP;
    assert.equal((await login(username, code(now + 2))).status, 200, 'a later step');
  });

  it('users reset --totp: the new secret\'s codes start afresh (its current step is good after a later step of the old one)', async () => {
    const { username, code } = await totpUser();
    const now = totpStepAt(clock);
    assert.equal((await login(username, code(now + 1))).status, 200);
    const { totpSecret } = await resetUser(f.g, { username, password: PASSWORD, totp: true });
    assert.equal((await login(username, hotp(base32Decode(totpSecret!), now))).status, 200);
    assert.equal((await login(username, hotp(base32Decode(totpSecret!), now))).status, 401, 'and used once');
  });

  it('two logins at once with the same code: exactly one session (old code: both)', async () => {
    const { username, code } = await totpUser();
    const c = code(totpStepAt(clock));
    const statuses = (await Promise.all([login(username, c), login(username, c)])).map((r) => r.status);
    assert.deepEqual(statuses.sort(), [200, 401]);
  });
});

// Two connections racing, as two `serve --workers` processes would: each step granted to one of them only.
for (const kind of ['sqlite', 'postgres'] as StoreKind[]) it(`TOTP steps used from two connections at once are each granted once: ${kind}`, { skip: kind === 'postgres' && pgSkip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cs-totp-race-'));
  const db = kind === 'postgres' ? await createTestDatabase() : undefined;
  const path = join(dir, 'counterseed.db');
  const store = db ? new PostgresStore({ url: db.url }) : new SqliteStore(path);
  const gov: GovernanceStore = db ? new PgGovernanceStore({ url: db.url }) : new SqliteGovernanceStore(path);
  try {
    const a = gov.accounts.add({ username: 'tina', role: 'auditor', passwordHash: 'h', totpSecret: 'ABC', createdAt: 1 });
    // Every step three times over, so both workers keep trying the step the other may be granting.
    const steps = Array.from({ length: 3000 }, (_, i) => 1000 + Math.floor(i / 3));
    const gate = new SharedArrayBuffer(4);
    const run = () => new Promise<number[]>((resolve, reject) => {
      const w = new Worker(new URL('../../helpers/totp-step-user.ts', import.meta.url), { workerData: { kind, path, url: db?.url, id: a.id, steps, gate } });
      let got: number[] | undefined;
      w.once('message', (m: number[]) => { got = m; });
      w.once('error', reject);
      w.once('exit', (code) => (code === 0 && got ? resolve(got) : reject(new Error(`worker exited ${code}`))));
    });
    const [x, y] = await Promise.all([run(), run()]);
    const all = [...x!, ...y!];
    assert.equal(new Set(all).size, all.length, `a step granted twice: ${all.filter((s, i) => all.indexOf(s) !== i).slice(0, 5).join(' ')}`);
    assert.ok(all.includes(1999), 'the last step was granted');
    assert.equal(gov.accounts.byId(a.id)!.totpLastStep, 1999);
  } finally { gov.close(); await store.close(); await db?.drop(); rmSync(dir, { recursive: true, force: true }); }
});

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { PostgresStore } from '../../../src/store/postgres/postgres-store.ts';
import { verifyReferral } from '../../../verifier/verify.mjs';
import { dropSchema, pgUnavailable, TEST_PG_URL, uniqueSchema } from '../../helpers/postgres.ts';
import { AGENCY_CSV, DAY, IP, NOW, RETENTION_CSV, referralFixture } from '../app/referrals/fixture.ts';

const MAIN = fileURLToPath(new URL('../../../src/cli/main.ts', import.meta.url));
const run = (args: string[]): Promise<{ code: number; out: string; err: string }> => new Promise((resolve) => {
  execFile(process.execPath, [MAIN, ...args], { encoding: 'utf8', timeout: 120_000 }, (e, out, err) => resolve({ code: e ? Number((e as { code?: number }).code ?? 1) : 0, out, err }));
});
const unavailable = await pgUnavailable();
const schema = uniqueSchema('cs_cli14');
after(async () => { if (!unavailable) await dropSchema(schema); });

test('issue 14 from the CLI on --store postgres://: sources import, match, risk score, referrals due, referrals build (verified by verifier/)', { skip: unavailable }, async () => {
  // The referral fixture's chained deliveries and enrichments, written into PostgreSQL (a schema of this test's own).
  const f = await referralFixture(undefined, { name: 'PostgreSQL', open: () => ({ store: new PostgresStore({ url: TEST_PG_URL, schema }), dispose: async () => {} }) });
  await f.ctx.close();
  const data = join(f.root, 'data');
  const store = `${TEST_PG_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  const cli = (...args: string[]) => run([...args, '--data', data, '--store', store]);
  const file = (name: string, text: string) => { const p = join(f.root, name); writeFileSync(p, text); return p; };
  try {
    // A's delivery at NOW - 50 days from remote port 40000 (fixture row 0); the CGNAT neighbour on another port.
    const t = new Date(NOW - 50 * DAY + 30_000).toISOString();
    const partner = file('partner.csv', `ip,port,timestamp,action,file_name,reference\n${IP.A},40000,${t},download,holiday-video-0042.mp4,P-1\n${IP.A},40999,${t},download,holiday-video-0042.mp4,P-2\n`);
    const bad = file('bad.csv', `ip,port,timestamp,timezone,action,file_name,reference\n${IP.A},40000,2025-03-01T12:00:30,Mars/Olympus,download,a.mp4,R1\n`);
    const grade = ['--source', 'Partner A', '--reliability', 'B', '--credibility', '2', '--by', 'tester'];
    const refused = await cli('sources', 'import', bad, ...grade);
    assert.equal(refused.code, 2, refused.err);
    assert.match(refused.err, /line 2: unknown time zone "Mars\/Olympus"/);
    const imp = await cli('sources', 'import', partner, ...grade);
    assert.equal(imp.code, 0, imp.err);
    assert.match(imp.out, /Imported 2 rows from Partner A as import \d+ \(graded B2\)/);

    const m = await cli('sources', 'match', '--window', '60', '--csv');
    assert.equal(m.code, 0, m.err);
    const lines = m.out.trim().split('\n');
    assert.equal(lines.length, 2, m.out);
    assert.match(lines[1]!, new RegExp(`,60,ip\\+remote-port\\+time,\\d+,Partner A,B2,2,P-1,${IP.A.replace(/\./g, '\\.')},40000,`));

    const s = await cli('risk', 'score');
    assert.equal(s.code, 0, s.err);
    assert.match(s.out, /weights w-[0-9a-f]{12}/);
    const show = await cli('risk', 'show', IP.A);
    assert.match(show.out, /sourceMatches\s+other source\s+1/);

    assert.equal((await cli('referrals', 'retention', 'import', file('r.csv', RETENTION_CSV))).code, 0);
    assert.equal((await cli('referrals', 'agencies', 'import', file('a.csv', AGENCY_CSV))).code, 0);
    const at = new Date(NOW).toISOString();
    const due = await cli('referrals', 'due', '--within', '20', '--at', at, '--json');
    assert.equal(due.code, 0, due.err);
    assert.deepEqual(JSON.parse(due.out).dated.map((x: { ip: string }) => x.ip), [IP.B, IP.K, IP.C, IP.A, IP.H, IP.I]);

    const out = join(f.root, 'referrals');
    const b = await cli('referrals', 'build', '--out', out, '--within', '20', '--at', at);
    assert.equal(b.code, 0, b.err);
    for (const agency of ['kripos', 'noa']) {
      const v = verifyReferral(join(out, agency));
      assert.deepEqual([v.ok, v.findings], [true, []], agency);
    }
    const after = await cli('referrals', 'due', '--within', '20', '--at', at, '--json');
    assert.deepEqual(JSON.parse(after.out).dated.map((x: { ip: string }) => x.ip), [IP.K], 'referred addresses are no longer due');

    // All of it is in PostgreSQL, apart from the evidence tables; the data directory holds no SQLite store.
    const c = new pg.Client({ connectionString: TEST_PG_URL });
    await c.connect();
    try {
      const n = async (table: string) => Number((await c.query(`SELECT count(*) AS n FROM "${schema}".${table}`)).rows[0].n);
      assert.deepEqual([await n('source_records'), await n('source_matches'), await n('referral_ip')], [2, 1, 5]);
      assert.ok(await n('risk_scores') > 0);
    } finally { await c.end(); }
    assert.equal(existsSync(join(data, 'counterseed.db')), false);
  } finally { await f.done().catch(() => {}); }
});

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { REFERRAL_KIND } from '../../../src/app/referral-requests.ts';
import { verifyReferral } from '../../../verifier/verify.mjs';
import { pgUnavailable } from '../../helpers/postgres.ts';
import { call, HOSTILE_NAMES, loginAs, USERS, webFixture, type Session, type StoreKind, type WebFixture } from './fixture.ts';
import { addIssue14Data, HOSTILE_SOURCES, NOW_14 } from './fixture-issue14.ts';

/**
 * The sources, risk, referrals and cases pages (issue 13 §2 over issue 14): what each shows, that
 * every view naming addresses is in the access log with its purpose, that the review and the
 * referral build are role-checked, CSRF-protected and (the build) four-eyes, and that hostile
 * names (decoys, sources, agencies, cases) are text, never markup.
 */
const pgSkip = await pgUnavailable();
for (const kind of ['sqlite', 'postgres'] as StoreKind[]) describe(`issue 14 pages: ${kind}`, { skip: kind === 'postgres' && pgSkip }, () => {
  let f: WebFixture;
  const s: Partial<Record<keyof typeof USERS, Session>> = {};
  before(async () => {
    f = await webFixture({ now: () => NOW_14, store: kind });
    await addIssue14Data(f);
    for (const who of ['analyst', 'analyst2', 'supervisor', 'supervisor2', 'operator', 'auditor'] as const) s[who] = await loginAs(f.app, USERS[who]);
  });
  after(async () => { await f?.close(); });

  const get = async (path: string, who: keyof typeof USERS) => { const r = await call(f.app, 'GET', path, s[who]); return { status: r.status, text: await r.text(), headers: r.headers }; };
  const form = (path: string, who: keyof typeof USERS, fields: Record<string, string>, csrf = true) => f.app.request(`http://127.0.0.1:8080${path}`, {
    method: 'POST', body: new URLSearchParams({ ...fields, ...(csrf ? { _csrf: s[who]!.csrf } : {}) }).toString(),
    headers: { origin: 'http://127.0.0.1:8080', cookie: s[who]!.cookie, 'content-type': 'application/x-www-form-urlencoded' },
  });
  const logSince = (seq: number) => f.g.gov.accessLog.page(seq, 1000);
  const lastSeq = () => f.g.gov.accessLog.count();

  /** No hostile name reaches the page as markup: every `<` of them is escaped, and the RTL override sits inside <bdi>. */
  function assertEscaped(page: string, names: readonly string[]): void {
    for (const n of names) {
      if (/[<>"]/.test(n)) assert.ok(!page.includes(n), `raw ${n.slice(0, 40)} in the page`);
    }
    assert.doesNotMatch(page, /<script>alert|<img src=x|<b>REF|<i>note|<b>markup/);
  }

  it('sources: provenance of every import without a purpose; matches only with one, logged, with the rule, the window and both sides', async () => {
    const before = lastSeq();
    const p = await get('/sources', 'analyst');
    assert.equal(p.status, 200);
    assert.match(p.text, /B2 \(usually reliable; probably true\)/);
    assert.match(p.text, /F5 \(reliability cannot be judged; improbable\)/);
    assert.match(p.text, /<code>[0-9a-f]{64}<\/code>/, 'file SHA-256');
    assert.match(p.text, /&lt;script&gt;alert\(&quot;src&quot;\)&lt;\/script&gt;Partner A/);
    assert.match(p.text, /<bdi>\u202EB rentraP<\/bdi>/);
    assert.match(p.text, /All times are UTC/);
    assert.doesNotMatch(p.text, /198\.18\./, 'no address without a purpose');
    assert.equal(lastSeq(), before, 'the provenance list names nobody: not logged');
    assertEscaped(p.text, HOSTILE_SOURCES);

    const m = await get('/sources?purpose=case-src-1', 'analyst');
    assert.equal(m.status, 200);
    assert.match(m.text, /window 60 s/);
    assert.match(m.text, /<code>ip\+remote-port\+time<\/code>[\s\S]*?198\.18\.0\.11:40001[\s\S]*?our delivery \d+ \(bittorrent, evidence\)/);
    assert.match(m.text, /<code>ip\+listen-port\+time<\/code>[\s\S]*?198\.18\.0\.12:51413/);
    assert.doesNotMatch(m.text, /198\.18\.0\.13:9999<\/td><td>[^<]*<\/td><td>our delivery/, 'same IP, other port: no match with our delivery (CGNAT)');
    assert.match(m.text, /A match is an assessment/);
    assertEscaped(m.text, HOSTILE_SOURCES);
    const log = logSince(before);
    assert.equal(log.length, 1);
    assert.deepEqual([log[0]!.user, log[0]!.action, log[0]!.purpose], ['anna', 'consult', 'case-src-1']);
    assert.match(log[0]!.what, /source matches of run \d+ \(window 60 s\).*198\.18\.0\.11/);
  });

  it('risk: the queue needs a purpose and is logged; the working shows facts apart from the assessment; a draft until reviewed', async () => {
    const before = lastSeq();
    const empty = await get('/risk', 'analyst');
    assert.doesNotMatch(empty.text, /198\.18\./);
    assert.equal(lastSeq(), before);
    const q = await get('/risk?purpose=case-risk-1', 'analyst');
    assert.equal(q.status, 200);
    const ips = [...q.text.matchAll(/<a href="\/risk\/working\?ip=([0-9.]+)&amp;purpose=case-risk-1">/g)].map((x) => x[1]);
    assert.deepEqual(new Set(ips), new Set(['198.18.0.11', '198.18.0.12', '198.18.0.13']));
    assert.match(q.text, /Scores are assessments, not findings/);
    assert.equal((q.text.match(/<strong>DRAFT<\/strong>/g) ?? []).length, 3);
    assert.match(logSince(before)[0]!.what, /risk queue of run \d+: 3 scores/);

    const w = await get('/risk/working?ip=198.18.0.11&purpose=case-risk-1', 'analyst');
    assert.equal(w.status, 200);
    const facts = w.text.indexOf('Facts: what the records show'), assessment = w.text.indexOf('Assessment: weights and score');
    assert.ok(facts > 0 && assessment > facts, 'facts first, then the assessment, apart');
    for (const factor of ['deliveries', 'decoys', 'completions', 'daysActive', 'persistenceDays', 'returnsAfterWarning', 'sourceMatches', 'extraNetworks']) {
      assert.match(w.text.slice(facts, assessment), new RegExp(`<td>${factor}</td>`), factor);
      assert.match(w.text.slice(assessment), new RegExp(`<td>${factor}</td><td>\\d+</td><td>[\\d.]+</td><td>[\\d.]+</td>`), `${factor} weight and points`);
    }
    // Five deliveries to .11, their ids listed; four partner records matched (one per import), each with its grade.
    assert.match(w.text, /<td>deliveries<\/td><td>fact \(our records\)<\/td><td>[^<]*<\/td><td><b>5<\/b><\/td>\s*<td>5 deliveries: <code>[\d, ]+<\/code>/);
    assert.match(w.text, /<td>sourceMatches<\/td><td>other source \(graded, matched by rule\)<\/td><td>[^<]*<\/td><td><b>4<\/b><\/td>/);
    assert.match(w.text, /\(B2\)/);
    assert.match(w.text, /<strong>DRAFT<\/strong>: no one has reviewed/);
    assert.match(w.text, /name="reason"/);
    assertEscaped(w.text, HOSTILE_SOURCES);
    assert.match(logSince(before).at(-1)!.what, /risk working 198\.18\.0\.11 \(run \d+, weights w-[0-9a-f]+\)/);

    // Bad input: an address with no score is "not found"; no purpose is bad input.
    assert.equal((await get('/risk/working?ip=198.18.0.99&purpose=case-risk-1', 'analyst')).status, 404);
    assert.equal((await get('/risk/working?ip=198.18.0.11', 'analyst')).status, 400);
  });

  it('risk review: needs the CSRF token and a reason, marks the assessment reviewed by that person, and is logged; an operator cannot', async () => {
    const before = lastSeq();
    assert.equal((await form('/risk/review', 'analyst', { ip: '198.18.0.11', reason: 'read the five delivery records', purpose: 'case-risk-2' }, false)).status, 403);
    assert.equal((await form('/risk/review', 'analyst', { ip: '198.18.0.11', reason: 'x', purpose: 'case-risk-2' })).status, 400, 'a reason of 3+ characters');
    assert.equal(f.ctx.store.risk.score(f.ctx.store.risk.latestRun()!.id, '198.18.0.11')!.review, null, 'still a draft');
    const ok = await form('/risk/review', 'analyst', { ip: '198.18.0.11', reason: 'read the five <b>delivery</b> records', purpose: 'case-risk-2' });
    assert.equal(ok.status, 303);
    assert.equal(ok.headers.get('location'), '/risk/working?ip=198.18.0.11&purpose=case-risk-2');
    const review = f.ctx.store.risk.score(f.ctx.store.risk.latestRun()!.id, '198.18.0.11')!.review!;
    assert.deepEqual([review.reviewedBy, review.reason, review.at], ['anna', 'read the five <b>delivery</b> records', NOW_14]);
    const entry = logSince(before).find((e) => e.action === 'review')!;
    assert.deepEqual([entry.user, entry.purpose], ['anna', 'read the five <b>delivery</b> records']);
    assert.match(entry.what, /risk assessment 198\.18\.0\.11 \(run \d+, weights w-[0-9a-f]+, score [\d.]+\) marked reviewed/);
    const w = await get('/risk/working?ip=198.18.0.11&purpose=case-risk-2', 'analyst');
    assert.match(w.text, /Reviewed by anna at 2025-12-10T16:00:00Z: “read the five &lt;b&gt;delivery&lt;\/b&gt; records”/);
    // A supervisor reviews too (oversight); an operator and an auditor may not.
    assert.equal((await form('/risk/review', 'supervisor', { ip: '198.18.0.12', reason: 'checked the listen-port match' })).status, 303);
    assert.equal((await form('/risk/review', 'operator', { ip: '198.18.0.13', reason: 'no' })).status, 403);
    assert.equal((await form('/risk/review', 'auditor', { ip: '198.18.0.13', reason: 'no' })).status, 403);
    assert.equal(f.ctx.store.risk.score(f.ctx.store.risk.latestRun()!.id, '198.18.0.13')!.review, null);
  });

  it('the queue of drafts reads past the reviewed scores above them', async () => {
    const { consultRiskQueue } = await import('../../../src/app/risk-consult.ts');
    const anna = { id: 0, username: 'anna', role: 'analyst' as const };
    const top = consultRiskQueue(f.ctx, f.g, anna, { purpose: 'case-risk-3', limit: 1 });
    assert.notEqual(top.scores[0]!.review, null, 'the highest score was reviewed above');
    const drafts = consultRiskQueue(f.ctx, f.g, anna, { purpose: 'case-risk-3', limit: 1, draftsOnly: true });
    assert.deepEqual(drafts.scores.map((x) => [x.ip, x.review]), [['198.18.0.13', null]]);
    assert.equal(consultRiskQueue(f.ctx, f.g, anna, { purpose: 'case-risk-3', limit: 5, draftsOnly: true }).scores.length, 1, 'the run read whole when fewer drafts than asked');
  });

  it('referrals: the deadline alert on the overview (counts, soonest first, no address), the due list logged, four-eyes build, download verifies', async () => {
    const o = await get('/', 'analyst');
    assert.match(o.text, /Referrals due<\/strong>: 3 addresses not yet referred whose ISP retention runs out within 7 days/);
    assert.match(o.text, /Kripos &lt;script&gt;x&lt;\/script&gt;<\/bdi>: 3 addresses, soonest 2025-12-15 \(5 days left\)/);
    assert.doesNotMatch(o.text, /198\.18\./, 'the overview names no address');
    assert.doesNotMatch((await get('/', 'operator')).text, /Referrals due/, 'operators do not handle referrals');

    const before = lastSeq();
    const due = await get('/referrals?within=7&purpose=case-ref-1', 'analyst');
    assert.equal(due.status, 200);
    assert.match(due.text, /<b>2025-12-15<\/b> \(5 days\)<\/td><td>198\.18\.0\.1[123]</);
    assert.match(due.text, /21 days \(country rule; <bdi>Norwegian ISPs, 2019-20<\/bdi>\)/);
    assert.match(logSince(before)[0]!.what, /referrals due within 7 days: 3 dated, 0 undated, IPs 198\.18\.0\.1/);

    // An analyst asks; nothing is built; the analyst cannot approve; a supervisor does; the package downloads and verifies.
    const asked = await form('/referrals/requests', 'analyst', { agency: 'Kripos <script>x</script>', within: '7', purpose: 'case-ref-2' });
    assert.equal(asked.status, 303);
    const req = f.g.gov.approvals.list({ kinds: [REFERRAL_KIND], limit: 10 })[0]!;
    assert.deepEqual([req.status, JSON.parse(req.params)], ['pending', { agency: 'Kripos <script>x</script>', withinDays: 7 }]);
    assert.equal((await form(`/referrals/requests/${req.id}/approve`, 'analyst', {})).status, 403);
    assert.equal((await get(`/referrals/requests/${req.id}/package`, 'analyst')).status, 409, 'not before approval');
    const sup = await get('/referrals', 'supervisor');
    assert.match(sup.text, new RegExp(`action="/referrals/requests/${req.id}/approve"`));
    assertEscaped(sup.text, ['Kripos <script>x</script>']);
    assert.equal((await form(`/referrals/requests/${req.id}/approve`, 'supervisor', {})).status, 303);
    assert.equal(f.g.gov.approvals.get(req.id)!.status, 'done');
    assert.equal((await get(`/referrals/requests/${req.id}/package`, 'analyst2')).status, 404, 'another analyst cannot guess the id');
    const tar = await call(f.app, 'GET', `/referrals/requests/${req.id}/package`, s.analyst);
    assert.equal(tar.status, 200);
    const dir = mkdtempSync(join(tmpdir(), 'cs-web-ref-'));
    try {
      writeFileSync(join(dir, 'p.tar'), Buffer.from(await tar.arrayBuffer()));
      execFileSync('tar', ['-xf', join(dir, 'p.tar'), '-C', dir]);
      const [agencyDir] = readdirSync(join(dir, `referrals-${req.id}`));
      const v = verifyReferral(join(dir, `referrals-${req.id}`, agencyDir!));
      assert.deepEqual([v.ok, v.findings], [true, []]);
    } finally { rmSync(dir, { recursive: true, force: true }); }
    const log = logSince(before).map((e) => `${e.user} ${e.action} ${e.what}`);
    assert.ok(log.some((l) => /^anna request referral build request \d+/.test(l)));
    assert.ok(log.some((l) => /^sven approve referral build request \d+/.test(l)));
    assert.ok(log.some((l) => /^anna disclose referral packages of request \d+.*IPs 198\.18\.0\.1/.test(l)), 'the download is a logged disclosure naming the addresses');
    // Referred: nothing is due any more, and the package is listed.
    assert.match((await get('/', 'analyst')).text, /No referral deadline in the next 7 days/);
    assert.match((await get('/referrals', 'analyst')).text, /<td>3<\/td><td><code>[0-9a-f]{64}<\/code>/);
  });

  it('cases: the register lists without addresses; a case page is logged under its case reference; hostile titles are text', async () => {
    const before = lastSeq();
    const list = await get('/cases', 'analyst');
    assert.equal(list.status, 200);
    assert.match(list.text, /&lt;script&gt;alert\(&quot;case&quot;\)/);
    assert.equal(lastSeq(), before);
    const c = await get('/cases/view?id=case-7', 'analyst');
    assert.equal(c.status, 200);
    assert.match(c.text, /198\.18\.0\.11/);
    assertEscaped(c.text, ['<img src=x onerror=alert(3)>', '<script>alert("case")</script>']);
    assert.deepEqual([logSince(before)[0]!.purpose, logSince(before)[0]!.what], ['case case-7', 'case case-7: 2 links, IPs 198.18.0.11']);
    assert.equal((await get('/cases/view?id=nope', 'analyst')).status, 404);
  });

  it('every new page escapes the hostile decoy and source names and states UTC', async () => {
    for (const path of ['/sources?purpose=p-1', '/risk?purpose=p-1', '/risk/working?ip=198.18.0.12&purpose=p-1', '/referrals?purpose=p-1', '/cases', '/cases/view?id=case-7']) {
      const p = await get(path, 'analyst');
      assert.equal(p.status, 200, path);
      assertEscaped(p.text, [...HOSTILE_NAMES, ...HOSTILE_SOURCES]);
      assert.match(p.text, /All times are UTC/, path);
    }
  });

  it('the same over the API: JSON from the same use cases, the same roles and access-log entries, CSRF on the review', async () => {
    const before = lastSeq();
    const imports = await (await call(f.app, 'GET', '/api/sources', s.analyst)).json() as { imports: { source: string; fileSha256: string; reliability: string }[] };
    assert.deepEqual(imports.imports.map((i) => i.source), HOSTILE_SOURCES, 'names as given: JSON is not HTML');
    assert.equal(lastSeq(), before);
    const w = await (await call(f.app, 'GET', '/api/risk/working?ip=198.18.0.13&purpose=case-api-1', s.supervisor)).json() as { status: string; factors: { factor: string; kind: string; value: number; weight: number }[]; labels: string[] };
    assert.equal(w.status, 'draft');
    assert.deepEqual(w.factors.map((x) => x.kind), ['fact', 'fact', 'fact', 'fact', 'fact', 'fact', 'other source', 'fact']);
    assert.match(logSince(before)[0]!.what, /^risk working 198\.18\.0\.13/);
    assert.equal((await call(f.app, 'POST', '/api/risk/review', { ...s.supervisor!, csrf: 'wrong' }, { ip: '198.18.0.13', reason: 'checked the records' })).status, 403);
    const r = await call(f.app, 'POST', '/api/risk/review', s.supervisor, { ip: '198.18.0.13', reason: 'checked the records' });
    assert.equal(r.status, 200);
    assert.equal(((await r.json()) as { status: string }).status, 'reviewed');
    assert.equal(logSince(before).at(-1)!.action, 'review');
    const alerts = await (await call(f.app, 'GET', '/api/referrals/alerts?within=30', s.analyst)).json() as { withinDays: number };
    assert.equal(alerts.withinDays, 30);
    assert.equal((await call(f.app, 'GET', '/api/referrals/due', s.analyst)).status, 400, 'a purpose is required');
    assert.equal((await call(f.app, 'GET', '/api/cases/case-7', s.operator)).status, 403);
  });

  it('the deadline alert is reused for up to a minute, equal to counting again, and counted again after it', async () => {
    const { computeDueAlerts, dueAlerts, ALERT_TTL_MS } = await import('../../../src/app/referral-alerts.ts');
    const anna = { id: 0, username: 'anna', role: 'analyst' as const };
    const t = NOW_14 + 3_600_000;
    const a = dueAlerts(f.ctx, anna, t, 30);
    assert.equal(dueAlerts(f.ctx, anna, t + ALERT_TTL_MS - 1, 30), a, 'reused within the minute');
    assert.deepEqual(a, computeDueAlerts(f.ctx, t, 30));
    const later = dueAlerts(f.ctx, anna, t + ALERT_TTL_MS, 30);
    assert.notEqual(later, a);
    assert.equal(later.now, t + ALERT_TTL_MS);
    assert.throws(() => dueAlerts(f.ctx, { ...anna, role: 'operator' }, t, 30), /may not see referral deadlines/);
  });
});

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { serve, type ServerType } from '@hono/node-server';
import { CHROMIUM, CHROMIUM_FLAGS, pageSteps, skipWithoutChromium } from './browser-page.ts';
import { pgUnavailable } from '../../helpers/postgres.ts';
import { USERS, webFixture, type StoreKind, type WebFixture } from './fixture.ts';
import { addIssue14Data, NOW_14 } from './fixture-issue14.ts';
import { verifyReferral } from '../../../verifier/verify.mjs';

/**
 * The issue 14 pages end to end in headless Chromium (issue 13 §2), on each store, as browser.test.ts
 * does the rest. The risk review: the referral alert on the overview, the queue opened with a purpose,
 * one address's working (facts apart from the assessment), the review with a reason, the queue showing
 * it reviewed, the auditor finding the consultation and the review, an operator denied. Then sources
 * and cross-matches, a referral package through four-eyes (asked, approved by a supervisor, downloaded
 * and verified with verifier/verify.mjs), and a case, read-only.
 */
const skip = skipWithoutChromium;

const pgSkip = await pgUnavailable();
for (const kind of ['sqlite', 'postgres'] as StoreKind[]) describe(`browser risk: ${kind}`, { skip: kind === 'postgres' && pgSkip }, () => {
  let f: WebFixture;
  let server: ServerType;
  let base = '';
  const shots = mkdtempSync(join(tmpdir(), 'cs-web-risk-shots-'));
  const profile = mkdtempSync(join(tmpdir(), 'cs-web-risk-chromium-'));

  before(async () => {
    if (skip || (kind === 'postgres' && pgSkip)) return;
    f = await webFixture({ now: () => NOW_14, store: kind });
    await addIssue14Data(f);
    server = serve({ fetch: f.createApp().fetch, port: 0, hostname: '127.0.0.1' });
    base = await new Promise<string>((resolve, reject) => {
      (server as unknown as { once(e: string, cb: (...a: unknown[]) => void): void }).once('listening', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
      (server as unknown as { once(e: string, cb: (...a: unknown[]) => void): void }).once('error', reject);
    });
  });

  after(async () => {
    if (skip || (kind === 'postgres' && pgSkip)) return;
    server?.close();
    await f?.close();
    rmSync(profile, { recursive: true, force: true });
  });

  it('browser: the risk queue with a purpose, an address\'s working, a review with a reason, the queue updated, the auditor finds both, an operator denied', { skip, timeout: 180_000 }, async () => {
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
    try {
      const page = browser.pages()[0] ?? await browser.newPage();
      const { shot, login, logout } = pageSteps(page, base, shots);

      await login(USERS.analyst);
      // The deadline alert on the overview: counts per agency, the agency's hostile name as text.
      const alert = page.locator('main [role=alert]', { hasText: 'Referrals due' });
      assert.match((await alert.textContent())!, /3 addresses not yet referred[\s\S]*Kripos <script>x<\/script>: 3 addresses, soonest 2025-12-15 \(5 days left\)/);
      assert.equal(await page.locator('main script, main img').count(), 0);

      await page.click('header a[href="/risk"]');
      await page.fill('main input[name=purpose]', 'case-browser-risk');
      await Promise.all([page.waitForURL(/purpose=case-browser-risk/), page.click('main form button')]);
      assert.equal(await page.locator('tbody tr').count(), 3);
      assert.equal(await page.locator('tbody tr', { hasText: 'DRAFT' }).count(), 3, 'every score a draft');
      await shot('risk-queue');

      await Promise.all([page.waitForURL(/\/risk\/working\?ip=198\.18\.0\.11/), page.locator('tbody a', { hasText: '198.18.0.11' }).click()]);
      const headings = await page.locator('main h2').allTextContents();
      assert.deepEqual(headings.slice(0, 3), ['Facts: what the records show', 'Assessment: weights and score', 'Review']);
      assert.match((await page.locator('main table').first().locator('tr', { hasText: 'sourceMatches' }).textContent())!, /other source[\s\S]*4 imported records/);
      await page.fill('main textarea[name=reason]', 'read the delivery records and the four partner records');
      await Promise.all([page.waitForURL(/\/risk\/working\?ip=198\.18\.0\.11&purpose=case-browser-risk$/), page.click('main form[action="/risk/review"] button')]);
      assert.match((await page.locator('main').textContent())!, /Reviewed by anna at 2025-12-10T16:00:00Z: “read the delivery records and the four partner records”/);
      await shot('risk-working-reviewed');

      await Promise.all([page.waitForURL(/\/risk\?purpose=/), page.click('main a', { hasText: 'back to the queue' } as never)]);
      assert.equal(await page.locator('tbody tr').count(), 2, 'the queue: the drafts left');
      assert.equal(await page.locator('tbody tr', { hasText: '198.18.0.11' }).count(), 0);
      await page.check('main input[name=all]');
      await Promise.all([page.waitForURL(/all=1/), page.click('main form button')]);
      assert.match((await page.locator('tbody tr', { hasText: '198.18.0.11' }).textContent())!, /reviewed by anna/);
      assert.equal(await page.locator('tbody tr', { hasText: 'DRAFT' }).count(), 2);
      await logout();

      await login(USERS.operator);
      assert.equal((await page.goto(`${base}/risk`))?.status(), 403, 'an operator does not see risk assessments');
      await page.goto(`${base}/`);
      await logout();

      await login(USERS.auditor);
      await page.goto(`${base}/audit`);
      assert.match((await page.locator('tbody tr', { hasText: 'case-browser-risk' }).filter({ hasText: 'risk queue' }).first().textContent())!, /anna.*consult.*risk queue of run 1: 3 scores/s);
      assert.match((await page.locator('tbody tr').filter({ hasText: 'marked reviewed' }).first().textContent())!, /anna.*review.*risk assessment 198\.18\.0\.11.*read the delivery records/s);
      await shot('risk-audit');
    } finally {
      await browser.close();
    }
  });

  it('browser: sources and cross-matches with a purpose, a referral package asked for, approved by a supervisor, downloaded and verified, a case read-only', { skip, timeout: 180_000 }, async () => {
    const { chromium } = await import('playwright-core');
    const own = mkdtempSync(join(tmpdir(), 'cs-web-ref-chromium-'));
    const browser = await chromium.launchPersistentContext(own, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
    const unpacked = mkdtempSync(join(tmpdir(), 'cs-web-ref-dl-'));
    try {
      const page = browser.pages()[0] ?? await browser.newPage();
      const { shot, login, logout } = pageSteps(page, base, shots);
      await login(USERS.analyst);

      // Provenance without a purpose (no address); the matches with one, each with its rule.
      await page.goto(`${base}/sources`);
      assert.match((await page.locator('main').textContent())!, /Imported sources \(4\)/);
      assert.doesNotMatch((await page.locator('main').textContent())!, /198\.18\./);
      await page.fill('main form[action="/sources"] input[name=purpose]', 'case-browser-src');
      await Promise.all([page.waitForURL(/purpose=case-browser-src/), page.click('main form[action="/sources"] button')]);
      assert.match((await page.locator('main').textContent())!, /ip\+remote-port\+time[\s\S]*198\.18\.0\.11:40001/);
      assert.equal(await page.locator('main script, main img').count(), 0, 'hostile source names are text');
      await shot('sources-matches');

      // Four-eyes: the analyst asks for the agency's packages; nothing is built until a supervisor approves.
      await page.goto(`${base}/referrals`);
      const ask = page.locator('main form[action="/referrals/requests"]');
      await ask.locator('select[name=agency]').selectOption('Kripos <script>x</script>');
      await ask.locator('input[name=within]').fill('7');
      await ask.locator('input[name=purpose]').fill('case-browser-ref');
      await Promise.all([page.waitForURL(/\/referrals$/), ask.locator('button').click()]);
      const row = () => page.locator('tbody tr', { hasText: 'case-browser-ref' });
      assert.match((await row().textContent())!, /pending/);
      assert.equal(await row().locator('button').count(), 0, 'the requester cannot approve');
      await logout();
      await login(USERS.supervisor);
      await page.goto(`${base}/referrals`);
      await Promise.all([page.waitForURL(/\/referrals$/), row().locator('button', { hasText: 'Approve' }).click()]);
      assert.match((await row().textContent())!, /done/);
      await shot('referrals-approved');
      await logout();
      await login(USERS.analyst);
      await page.goto(`${base}/referrals`);
      const [download] = await Promise.all([page.waitForEvent('download'), row().locator('a', { hasText: 'download' }).click()]);
      const tarFile = join(unpacked, 'referrals.tar');
      await download.saveAs(tarFile);
      execFileSync('tar', ['-xf', tarFile, '-C', unpacked]);
      const [top] = readdirSync(unpacked).filter((n) => n.startsWith('referrals-'));
      const [agencyDir] = readdirSync(join(unpacked, top!));
      const v = verifyReferral(join(unpacked, top!, agencyDir!));
      assert.deepEqual([v.ok, v.findings], [true, []], 'the downloaded referral package verifies');
      assert.match(await page.content(), /<td>3<\/td><td><code>[0-9a-f]{64}<\/code>/, 'the package of three addresses is listed');

      // The case register and a case: read-only, the linked address one click from its dossier.
      await page.goto(`${base}/cases`);
      await Promise.all([page.waitForURL(/\/cases\/view\?id=case-7/), page.click('main a[href="/cases/view?id=case-7"]')]);
      assert.match((await page.locator('main').textContent())!, /198\.18\.0\.11/);
      assert.equal(await page.locator('main form, main button, main script, main img').count(), 0, 'read-only, hostile title as text');
      await shot('case');
    } finally {
      await browser.close();
      rmSync(own, { recursive: true, force: true });
      rmSync(unpacked, { recursive: true, force: true });
    }
  });
});

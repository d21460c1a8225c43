import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { serve, type ServerType } from '@hono/node-server';
import { nodeKey } from '../../../src/app/evidence.ts';
import { runErasure } from '../../../src/app/erasure.ts';
import { EXPORT_KIND } from '../../../src/app/export-requests.ts';
import { verifyEvidence } from '../../../src/app/verify-evidence.ts';
import { CHROMIUM, CHROMIUM_FLAGS, pageSteps, skipWithoutChromium } from './browser-page.ts';
import { pgUnavailable } from '../../helpers/postgres.ts';
import { USERS, webFixture, type StoreKind, type WebFixture } from './fixture.ts';

/**
 * End to end in headless Chromium (issue 13 tests): Debian's chromium driven by playwright-core,
 * the app served on 127.0.0.1 only. CI installs chromium (scripts/install-system-deps.sh).
 */
const skip = skipWithoutChromium;

const pgSkip = await pgUnavailable();
for (const kind of ['sqlite', 'postgres'] as StoreKind[]) describe(`browser: ${kind}`, { skip: kind === 'postgres' && pgSkip }, () => {
  let f: WebFixture;
  let server: ServerType;
  let evil: Server;
  let base = '';
  let evilBase = '';
  const shots = mkdtempSync(join(tmpdir(), 'cs-web-shots-'));
  const profile = mkdtempSync(join(tmpdir(), 'cs-web-chromium-'));

  const listen = (s: { once(e: string, cb: (...a: unknown[]) => void): unknown; address(): AddressInfo | string | null }) => new Promise<number>((resolve, reject) => {
    s.once('listening', () => resolve((s.address() as AddressInfo).port));
    s.once('error', reject);
  });

  before(async () => {
    if (skip || (kind === 'postgres' && pgSkip)) return;
    f = await webFixture({ store: kind });
    server = serve({ fetch: f.createApp().fetch, port: 0, hostname: '127.0.0.1' });
    base = `http://127.0.0.1:${await listen(server as never)}`;
    // Another origin (another port on the same host: same-site, so SameSite does not help here):
    // a page that posts an export request to the app as soon as it loads.
    evil = createServer((_req, res) => {
      res.setHeader('content-type', 'text/html');
      res.end(`<form id="f" method="post" action="${base}/exports"><input name="ip" value="198.18.0.12"><input name="purpose" value="forged-request"></form><script>document.getElementById('f').submit()</script>`);
    }).listen(0, '127.0.0.1');
    evilBase = `http://127.0.0.1:${await listen(evil as never)}`;
  });

  after(async () => {
    if (skip || (kind === 'postgres' && pgSkip)) return;
    server?.close();
    evil?.close();
    await f?.close();
    rmSync(profile, { recursive: true, force: true });
  });

  it('browser: log in, search deliveries, a CSRF attempt rejected, four-eyes export downloaded and verified, a dossier, a legal hold blocking erasure, four-eyes release and erasure, each found in the access log as auditor, a role denied', { skip, timeout: 180_000 }, async () => {
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
    try {
      const page = browser.pages()[0] ?? await browser.newPage();
      const { shot, login, logout } = pageSteps(page, base, shots);

      // Anonymous: only the login page and the public map.
      await page.goto(`${base}/deliveries`);
      assert.equal(new URL(page.url()).pathname, '/login');
      // The first request enriches the addresses (the geo databases opened) and draws the map: ~13 s at load 27.
      await page.goto(`${base}/map`, { timeout: 180_000 });
      // The map is drawn (the SVG image loaded) from the stored data, cells under k withheld.
      assert.ok(await page.locator('main img').evaluate((i) => { const img = i as unknown as { complete: boolean; naturalWidth: number }; return img.complete && img.naturalWidth > 0; }), 'map drawn');
      assert.match((await page.locator('main').textContent())!, /fewer than 10 \(withheld\)/);
      // The image is the county drawing: every county a shape, hatched (withheld) here, with the attribution.
      const drawing = await (await page.request.get(`${base}/map.svg`)).text();
      assert.ok((drawing.match(/<path [^>]*fill="url\(#hatch\)"/g) ?? []).length >= 10, 'the counties drawn, withheld ones hatched');
      assert.match(drawing, /Kartverket/);
      assert.doesNotMatch((await page.locator('main').textContent())!, /198\.18\./, 'no address on the public page');
      await shot('public-map');

      await login(USERS.analyst);
      assert.equal(new URL(page.url()).pathname, '/');
      // The trend chart has its series drawn with points (non-empty chart).
      assert.ok(await page.locator('svg.chart polyline.series').count() >= 2);
      assert.ok(await page.locator('svg.chart circle').count() >= 2, 'points plotted');
      await shot('overview');
      await page.goto(`${base}/deliveries`);
      await page.fill('input[name=ip]', '198.18.0.11');
      await page.fill('input[name=purpose]', 'case-browser-1');
      await Promise.all([page.waitForURL(/purpose=/), page.click('main form button')]);
      const rows = await page.locator('tbody tr').count();
      assert.ok(rows >= 5, `${rows} rows`);
      // Hostile decoy names are text in the page, never markup.
      assert.ok((await page.locator('tbody td bdi').first().textContent())!.length > 0);
      assert.equal(await page.locator('tbody img, tbody script').count(), 0);
      await shot('deliveries');

      // CSRF: a page on another origin auto-submits a form to the app while the analyst is logged in.
      const before = f.g.gov.approvals.list({ limit: 100 }).filter((r) => r.kind === EXPORT_KIND).length;
      const forged = page.waitForResponse((r) => r.url() === `${base}/exports` && r.request().method() === 'POST');
      await page.goto(evilBase);
      assert.equal((await forged).status(), 403);
      assert.equal(f.g.gov.approvals.list({ limit: 100 }).filter((r) => r.kind === EXPORT_KIND).length, before, 'no request was created');

      // Four-eyes in the browser: the analyst requests a package, a supervisor approves, the analyst downloads it.
      await page.goto(`${base}/exports`);
      await page.fill('main input[name=ip]', '198.18.0.12');
      await page.fill('main input[name=purpose]', 'case-browser-2');
      await Promise.all([page.waitForURL(/\/exports$/), page.click('main form button')]);
      assert.match((await page.locator('tbody tr', { hasText: 'case-browser-2' }).textContent())!, /pending/);
      await logout();
      await login(USERS.supervisor);
      await page.goto(`${base}/exports`);
      await shot('approvals');
      await Promise.all([page.waitForURL(/\/exports$/), page.locator('tbody tr', { hasText: 'case-browser-2' }).locator('button', { hasText: 'Approve' }).click()]);
      assert.match((await page.locator('tbody tr', { hasText: 'case-browser-2' }).textContent())!, /done/);
      await logout();
      await login(USERS.analyst);
      await page.goto(`${base}/exports`);
      const [download] = await Promise.all([page.waitForEvent('download'), page.locator('tbody tr', { hasText: 'case-browser-2' }).locator('a', { hasText: 'download' }).click()]);
      const tarFile = join(shots, 'package.tar');
      await download.saveAs(tarFile);
      const unpacked = mkdtempSync(join(tmpdir(), 'cs-web-dl-'));
      execFileSync('tar', ['-xf', tarFile, '-C', unpacked]);
      const [pkgDir] = readdirSync(unpacked);
      const verdict = await verifyEvidence({ dir: join(unpacked, pkgDir!), keyFingerprint: (await nodeKey(f.ctx)).fingerprint });
      assert.deepEqual([verdict.ok, verdict.facts.deliveries], [true, 5], 'the downloaded package verifies');
      rmSync(unpacked, { recursive: true, force: true });

      // A dossier: a logged consultation (the auditor finds it below).
      await page.goto(`${base}/dossier`);
      await page.fill('main input[name=ip]', '198.18.0.13');
      await page.fill('main input[name=purpose]', 'case-browser-3');
      await Promise.all([page.waitForURL(/purpose=/), page.click('main form button')]);
      assert.match((await page.locator('main h2', { hasText: 'Deliveries' }).textContent())!, /Deliveries \(5/);
      await shot('dossier');

      // Legal hold blocks erasure: hold .13, then an early erasure of it is refused.
      await page.goto(`${base}/retention`);
      const form = (action: string) => page.locator(`main form[action="${action}"]`);
      await form('/retention/holds').locator('input[name=ip]').fill('198.18.0.13');
      await form('/retention/holds').locator('input[name=caseRef]').fill('case-hold-1');
      await Promise.all([page.waitForURL(/\/retention$/), form('/retention/holds').locator('button').click()]);
      assert.match((await page.locator('tbody tr', { hasText: 'case-hold-1' }).textContent())!, /198\.18\.0\.13/);
      await form('/retention/erasures').locator('input[name=ip]').fill('198.18.0.13');
      await form('/retention/erasures').locator('input[name=purpose]').fill('subject-request-9');
      const [refused] = await Promise.all([page.waitForResponse((r) => r.url() === `${base}/retention/erasures`), form('/retention/erasures').locator('button').click()]);
      assert.equal(refused.status(), 409);
      assert.match((await page.locator('body').textContent())!, /under legal hold/);
      // Ask to release the hold; a supervisor approves (four-eyes); then the erasure is asked for and approved.
      await page.goto(`${base}/retention`);
      const holdRow = page.locator('tbody tr', { hasText: 'case-hold-1' });
      await holdRow.locator('input[name=purpose]').fill('case-hold-1 closed');
      await Promise.all([page.waitForURL(/\/retention$/), holdRow.locator('button').click()]);
      const decide = async (text: string) => {
        await logout();
        await login(USERS.supervisor);
        await page.goto(`${base}/retention`);
        await Promise.all([page.waitForURL(/\/retention$/), page.locator('tbody tr', { hasText: text }).locator('button', { hasText: 'Approve' }).click()]);
        await shot(`retention-${text.replace(/\W+/g, '-')}`);
        await logout();
        await login(USERS.analyst);
      };
      await decide('case-hold-1 closed');
      await page.goto(`${base}/retention`);
      await form('/retention/erasures').locator('input[name=ip]').fill('198.18.0.13');
      await form('/retention/erasures').locator('input[name=purpose]').fill('subject-request-9');
      await Promise.all([page.waitForURL(/\/retention$/), form('/retention/erasures').locator('button').click()]);
      await decide('subject-request-9');
      // The erasure job (cron, `counterseed retention run`) carries it out.
      const run = await runErasure(f.ctx, f.g);
      assert.deepEqual(run.requests.map((r) => [r.ip, r.erased]), [['198.18.0.13', 5]]);
      await page.goto(`${base}/dossier?ip=198.18.0.13&purpose=case-browser-4`);
      assert.match((await page.locator('main h2', { hasText: 'Deliveries' }).textContent())!, /Deliveries \(0/);

      await page.goto(`${base}/`);
      await logout();

      await login(USERS.auditor);
      await page.goto(`${base}/audit`);
      const entry = page.locator('tbody tr', { hasText: 'case-browser-1' });
      assert.ok(await entry.count() >= 1, 'the search is in the access log');
      assert.match((await entry.first().textContent())!, /anna.*consult.*198\.18\.0\.11/s);
      assert.match((await page.locator('tbody tr', { hasText: 'case-browser-3' }).first().textContent())!, /anna.*consult.*dossier 198\.18\.0\.13/s, 'the dossier view is logged');
      assert.match((await page.locator('tbody tr', { hasText: 'subject-request-9' }).filter({ hasText: 'erase' }).first().textContent())!,
        /erasure-job.*erase.*requested by anna, approved by sven.*5 records of 198\.18\.0\.13/s, 'the erasure is audited');
      assert.ok(await page.locator('tbody tr', { hasText: 'case-hold-1 closed' }).filter({ hasText: 'release' }).count() >= 1, 'the release is audited');
      await shot('audit');

      const denied = await page.goto(`${base}/deliveries`);
      assert.equal(denied?.status(), 403, 'an auditor cannot search deliveries');
      await shot('denied');
    } finally {
      await browser.close();
    }
  });
});

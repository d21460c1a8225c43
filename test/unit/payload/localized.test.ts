import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { campaignDeps } from '../../../src/campaign/campaign-deps.ts';
import { parseCampaignCsv } from '../../../src/campaign/campaign-csv.ts';
import { stepCampaign } from '../../../src/campaign/release.ts';
import { loadSettings } from '../../../src/config/load.ts';
import { openContext } from '../../../src/node/context.ts';
import { DEFAULT_PAYLOAD_ID } from '../../../src/payload/index.ts';
import { PayloadError } from '../../../src/payload/errors.ts';
import { bundledPayloadFor, loadHelpServices, localizedPayloadFor, localizedPayloadPath, parseHelpServices, servicesFor } from '../../../src/payload/localized.ts';
import { CampaignStore } from '../../../src/store/sqlite/campaign-store.ts';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.ts';

const help = loadHelpServices();
const urls = (countries: string[]) => servicesFor(help, countries).map((s) => s.url);

test('help services: the issue 3 defaults per country, helplinks.eu everywhere', () => {
  assert.deepEqual(urls([]), ['helplinks.eu', 'troubled-desire.com']);
  assert.deepEqual(urls(['NO']), ['detfinneshjelp.no', 'helplinks.eu', 'troubled-desire.com']);
  assert.ok(urls(['DE']).includes('kein-taeter-werden.de'));
  assert.ok(urls(['GB']).includes('stopitnow.org.uk') && urls(['IE']).includes('stopitnow.org.uk'));
  assert.ok(urls(['NL']).includes('stopitnow.nl'));
  assert.ok(urls(['SE']).includes('preventell.se'));
  assert.deepEqual(urls(['GB', 'IE']).filter((u) => u === 'stopitnow.org.uk').length, 1, 'no repeats');
});

test('a row code picks a payload: language, or a country listed by one', () => {
  assert.deepEqual(help.payloads.map((p) => p.lang).sort(), ['da', 'de', 'en', 'nl', 'no', 'sv']);
  assert.equal(localizedPayloadFor(help, 'de')?.lang, 'de');
  assert.equal(localizedPayloadFor(help, 'AT')?.lang, 'de');
  assert.equal(localizedPayloadFor(help, 'IE')?.lang, 'en');
  assert.equal(localizedPayloadFor(help, 'BE')?.lang, 'nl');
  assert.equal(localizedPayloadFor(help, 'fr'), undefined);
  assert.equal(localizedPayloadFor(help, 'FR'), undefined);
});

test('the data file is validated: every problem names what is wrong', () => {
  const good = JSON.parse(readFileSync(new URL('../../../assets/help-services.json', import.meta.url), 'utf8')) as Record<string, Record<string, unknown>>;
  const cases: [(j: Record<string, Record<string, unknown>>) => void, RegExp][] = [
    [(j) => { j.countries!.SE = ['no-such-service']; }, /countries\.SE: unknown service "no-such-service"/],
    [(j) => { j.countries!.Sweden = []; }, /"Sweden" is not an ISO 3166-1/],
    [(j) => { delete (j.languages!.de as Record<string, unknown>).crime; }, /languages\.de\.crime must be/],
    [(j) => { j.languages!.deu = j.languages!.de; }, /"deu" is not an ISO 639-1/],
    [(j) => { (j.payloads as unknown as unknown[]).push({ lang: 'fr', countries: [] }); }, /payloads\[6\]\.lang/],
    [(j) => { (j.services!.helplinks as Record<string, unknown>).url = 'a\nb'; }, /one-line string/],
  ];
  for (const [edit, msg] of cases) {
    const j = structuredClone(good);
    edit(j);
    assert.throws(() => parseHelpServices(j), (e: unknown) => e instanceof PayloadError && msg.test(e.message), String(msg));
  }
});

test('rendered payloads: one small playable H.264 video per language, transcript with its help services', () => {
  for (const p of help.payloads) {
    const path = localizedPayloadPath(p.lang);
    assert.ok(statSync(path).size < 250 * 1024, `${path} is small`);
    const probe = execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name,width,height', '-of', 'csv=p=0', path], { encoding: 'utf8' }).trim();
    assert.equal(probe, 'h264,640,360', path);
    const text = readFileSync(path.replace(/\.mp4$/, '.txt'), 'utf8');
    assert.ok(text.includes(help.languages.get(p.lang)!.title), `${p.lang} transcript has the title`);
    assert.ok(text.includes(help.languages.get(p.lang)!.crime.split(' ').slice(0, 3).join(' ')), `${p.lang} transcript says it is a crime`);
    for (const u of urls([...p.countries])) assert.ok(text.includes(u), `${p.lang} transcript lists ${u}`);
    assert.equal(bundledPayloadFor(help, p.lang)?.path, path);
  }
});

test('campaign rows with a language or country get the matching payload, registered at first use', async () => {
  const data = mkdtempSync(join(tmpdir(), 'cs-l10n-'));
  const ctx = openContext(loadSettings({ flags: { dataDir: data }, env: {} }), () => {});
  try {
    const campaigns = new CampaignStore(ctx.store as SqliteStore);
    const deps = campaignDeps(ctx, campaigns);
    const c = campaigns.create({ name: 'l10n', perDay: 10, ttlDays: 5, payloadId: null, createdAt: Date.now() },
      parseCampaignCsv('holiday-notes-0001.txt,,sv\nholiday-notes-0002.txt,,AT\nholiday-notes-0003.txt,,\nholiday-notes-0004.txt,,FR\n'));
    const de = deps.payloadFor('AT', c);
    assert.equal(de, createHash('sha256').update(readFileSync(localizedPayloadPath('de'))).digest('hex'));
    assert.equal(ctx.payloads.get(de).label, 'warning-de.mp4');
    assert.equal(deps.payloadFor(null, c), DEFAULT_PAYLOAD_ID);
    assert.equal(stepCampaign(deps, c, Date.now()).released, 4);
    const text = async (name: string) => {
      const d = (await ctx.store.listDecoys()).find((x) => x.name === name)!;
      return Buffer.from(ctx.sourceFor(d).read(0, d.size)).toString('utf8');
    };
    assert.match(await text('holiday-notes-0001.txt'), /VARNING FRÅN POLISEN[\s\S]*preventell\.se/);
    assert.match(await text('holiday-notes-0002.txt'), /WARNUNG DER POLIZEI[\s\S]*kein-taeter-werden\.de/);
    assert.match(await text('holiday-notes-0003.txt'), /ADVARSEL FRA POLITIET/, 'no code: the default (Norwegian/English) warning');
    assert.match(await text('holiday-notes-0004.txt'), /ADVARSEL FRA POLITIET/, 'a country without a payload: the default');
  } finally { await ctx.close(); rmSync(data, { recursive: true, force: true }); }
});

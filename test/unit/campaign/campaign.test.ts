import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseCampaignCsv } from '../../../src/campaign/campaign-csv.ts';
import { stepCampaign } from '../../../src/campaign/release.ts';
import { NameListError } from '../../../src/decoy/errors.ts';
import { DEFAULT_PAYLOAD_ID, defaultPayloadPath } from '../../../src/payload/index.ts';
import { paddingLayout } from '../../../src/payload/variants/padding.ts';
import { CampaignStore } from '../../../src/store/sqlite/campaign-store.ts';
import { DecoyFilesStore } from '../../../src/store/sqlite/decoy-files-store.ts';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.ts';

const CSV = 'name,size,language,folder\nholiday-video-0001.mp4,40000000,no,\nholiday-clip-a.mp4,3000000,,holiday-folder-01\n# comment\nholiday-clip-b.mp4,,,holiday-folder-01\nholiday-video-0002.mp4,,DE,\nholiday-video-0003.mp4,,,\n';

test('CSV: folders group into one multi-file item; language/country kept; release order = first line', () => {
  const items = parseCampaignCsv(CSV);
  assert.deepEqual(items.map((i) => i.name), ['holiday-video-0001.mp4', 'holiday-folder-01', 'holiday-video-0002.mp4', 'holiday-video-0003.mp4']);
  assert.deepEqual(items[1]!.files.map((f) => f.path), [['holiday-clip-a.mp4'], ['holiday-clip-b.mp4']]);
  assert.equal(items[0]!.lang, 'no');
  assert.equal(items[2]!.lang, 'DE');
});

test('CSV: every bad row reported with its line, nothing returned', () => {
  let err: unknown;
  try { parseCampaignCsv('holiday-a.mp4,abc\nholiday-b.mp4,,english\n../x.mp4\nholiday-a.mp4\nok.mp4,,,bad/folder\n'); } catch (e) { err = e; }
  assert.ok(err instanceof NameListError);
  assert.deepEqual(err.issues.map((i) => i.line), [1, 2, 3, 4, 5]);
});

test('release: per_day per started day, all-or-nothing insert; TTL retires; counts', () => {
  const store = new SqliteStore(':memory:');
  store.insertPayload({ id: DEFAULT_PAYLOAD_ID, size: 1, label: 'warning-no-en.mp4', mediaType: 'video/mp4', addedAt: 0 });
  const campaigns = new CampaignStore(store);
  const layout = paddingLayout('mp4', new Uint8Array(readFileSync(defaultPayloadPath())));
  const deps = {
    campaigns, decoyFiles: new DecoyFilesStore(store),
    resolve: () => ({ variantId: DEFAULT_PAYLOAD_ID, layout }),
    payloadFor: () => DEFAULT_PAYLOAD_ID,
  };
  const day = 86_400_000;
  const t0 = 1_700_000_000_000;
  const c = campaigns.create({ name: 'spring', perDay: 2, ttlDays: 3, payloadId: null, createdAt: t0 }, parseCampaignCsv(CSV));
  assert.deepEqual(stepCampaign(deps, c, t0), { released: 2, retired: 0 });
  assert.deepEqual(stepCampaign(deps, c, t0 + 1000), { released: 0, retired: 0 });
  assert.deepEqual(campaigns.counts(c.id), { planned: 2, active: 2, retired: 0, deliveries: 0 });
  assert.deepEqual(stepCampaign(deps, c, t0 + day), { released: 2, retired: 0 });
  assert.deepEqual(stepCampaign(deps, c, t0 + 3 * day), { released: 0, retired: 2 });
  assert.deepEqual(campaigns.counts(c.id), { planned: 0, active: 2, retired: 2, deliveries: 0 });
  const folder = store.database.prepare("SELECT count(*) n FROM decoy_files f JOIN decoys d ON d.id = f.decoy_id WHERE d.name = 'holiday-folder-01'").get()!;
  assert.equal(Number(folder.n), 2);
});

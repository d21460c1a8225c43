import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createCampaign, listCampaigns, readCampaignList, showCampaign } from '../../../src/app/campaigns.ts';
import { withContext } from '../../../src/app/context.ts';
import { buildDecoys, exportDecoys, listDecoys, readNameList, writeDecoy } from '../../../src/app/decoys.ts';
import { health } from '../../../src/app/health.ts';
import { runLabMode } from '../../../src/app/lab.ts';
import { listPayloads } from '../../../src/app/payloads.ts';
import { validateWithClients } from '../../../src/app/validate.ts';
import { loadSettings } from '../../../src/config/load.ts';
import { NameListError } from '../../../src/decoy/errors.ts';
import { InputError, NotFoundError } from '../../../src/domain/errors.ts';
import { LabConfigError } from '../../../src/lab/errors.ts';

const quiet = () => {};
const fresh = () => {
  const root = mkdtempSync(join(tmpdir(), 'cs-app-'));
  return { root, settings: loadSettings({ flags: { dataDir: join(root, 'data') }, env: {} }) };
};

describe('use cases, called as the HTTP layer will: typed input, typed results, named errors', () => {
  it('builds, lists, exports and writes decoys; a missing decoy is NotFoundError', async () => {
    const { root, settings } = fresh();
    const names = join(root, 'names.csv');
    writeFileSync(names, 'name,size\nholiday-video-0042.mp4,2000000\ngarden-party-0007.mp4,\n');
    const rows = readNameList(names);
    const built = await withContext(settings, quiet, (ctx) => buildDecoys(ctx, { rows }));
    assert.equal(built.built, 2);
    await withContext(settings, quiet, async (ctx) => {
      assert.equal(built.payload.id, listPayloads(ctx)[0]!.id, 'the built-in warning video by default');
      const list = await listDecoys(ctx, { status: 'active' });
      assert.deepEqual(list.map((d) => [d.name, 'info' in d]), [['holiday-video-0042.mp4', false], ['garden-party-0007.mp4', false]]);
      assert.equal(list[0]!.size, 2_000_000);
      const out = join(root, 'torrents');
      assert.deepEqual(await exportDecoys(ctx, { dir: out, trackers: ['http://127.0.0.1:6969/announce'], peers: [] }), { written: 2 });
      assert.equal(readdirSync(out).length, 3);
      const file = join(root, 'decoy.bin');
      const w = await writeDecoy(ctx, { id: list[0]!.id, out: file });
      assert.equal(w.sha256, createHash('sha256').update(readFileSync(file)).digest('hex'));
      assert.equal(w.sha256, list[0]!.contentSha256);
      await assert.rejects(writeDecoy(ctx, { id: 9999, out: join(root, 'none.bin') }), NotFoundError);
      assert.equal(existsSync(join(root, 'none.bin.part')), false);
    });
  });

  it('a name list is checked before a data directory is opened: a bad list creates nothing', () => {
    const { root, settings } = fresh();
    assert.throws(() => readNameList(join(root, 'missing.txt')), InputError);
    writeFileSync(join(root, 'bad.txt'), 'holiday-video-0001.mp4\n../escape.mp4\n');
    assert.throws(() => readNameList(join(root, 'bad.txt')), (e) => e instanceof NameListError && e.issues.length === 1 && e.issues[0]!.line === 2);
    assert.throws(() => readCampaignList(join(root, 'missing.csv')), InputError);
    assert.equal(existsSync(settings.dataDir), false);
  });

  it('creates, lists and shows a campaign; an unknown one is NotFoundError', async () => {
    const { root, settings } = fresh();
    const file = join(root, 'campaign.csv');
    writeFileSync(file, 'name,size,language,folder\nholiday-video-0001.mp4,,,\nholiday-video-0002.mp4,,,\nholiday-video-0003.mp4,,,\n');
    await withContext(settings, quiet, (ctx) => {
      const r = createCampaign(ctx, { name: 'spring', items: readCampaignList(file), perDay: 2, ttlDays: 30, hybrid: false, now: Date.UTC(2026, 11, 6) });
      assert.deepEqual([r.planned, r.released, r.campaign.name], [3, 2, 'spring']);
      const all = listCampaigns(ctx);
      // planned counts the items not released yet.
      assert.deepEqual(all.map((c) => [c.name, c.planned, c.active]), [['spring', 1, 2]]);
      assert.deepEqual(showCampaign(ctx, 'spring'), all[0]);
      assert.throws(() => showCampaign(ctx, 'autumn'), NotFoundError);
    });
  });

  it('health buckets a window ending now', async () => {
    const { settings } = fresh();
    const now = Date.UTC(2026, 11, 6, 12);
    const h = await withContext(settings, quiet, (ctx) => health(ctx, { hours: 2, bucketMinutes: 30, decoys: 5, now }));
    assert.deepEqual([h.now, h.since, h.bucketMs, h.addresses.length, h.decoys.length], [now, now - 7_200_000, 1_800_000, 0, 0]);
  });

  it('lab refuses live mode before opening anything; validate refuses a non-empty report directory', async () => {
    const { root, settings } = fresh();
    await assert.rejects(runLabMode({ ...settings, mode: 'live' }, { durationS: 1, downloaders: 1, concurrency: 1, decoys: 1, sources: 1 }, { signal: AbortSignal.timeout(5000), log: quiet }), LabConfigError);
    assert.equal(existsSync(settings.dataDir), false);
    const out = join(root, 'report');
    mkdirSync(out);
    writeFileSync(join(out, 'old.txt'), 'x');
    await assert.rejects(validateWithClients({ out, downloads: 1, clients: ['aria2'], log: quiet }), /exists and is not empty/);
  });
});

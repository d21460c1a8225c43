import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { assignmentLoop, UNASSIGNED_REASON } from '../../../src/app/centre-assignment.ts';
import { assignCampaign, unassignCampaign } from '../../../src/centre/assignments-db.ts';
import { CentreDb } from '../../../src/centre/centre-db.ts';
import { CentreServer } from '../../../src/centre/centre-server.ts';
import { loadSettings } from '../../../src/config/load.ts';
import { openContext } from '../../../src/node/context.ts';
import type { SqliteStore } from '../../../src/store/sqlite/sqlite-store.ts';
import { dropSchema, pgUnavailable, TEST_PG_URL, uniqueSchema } from '../../helpers/postgres.ts';

const unavailable = await pgUnavailable();

describe('centre unassign: a running node\'s pull loop stops the campaign at its next pull (issue 12)', { skip: unavailable }, () => {
  const schema = uniqueSchema('cs_assign_stop');
  const data = mkdtempSync(join(tmpdir(), 'cs-assign-stop-'));
  after(async () => { await dropSchema(schema); rmSync(data, { recursive: true, force: true }); });

  it('creates the campaign, then on unassignment retires its decoys, releases nothing more and has the node sync its decoys', async () => {
    execFileSync(process.execPath, ['src/cli/main.ts', '--data', data, 'init'], { stdio: 'ignore' });
    const db = await CentreDb.open(TEST_PG_URL, schema);
    const server = await CentreServer.start({ db });
    const ctx = openContext(loadSettings({ flags: { dataDir: data }, env: {} }), () => {});
    const stop = new AbortController();
    const log: string[] = [];
    let syncs = 0;
    try {
      await db.registerNode(readFileSync(join(data, 'keys', 'node-ed25519.pub.pem'), 'utf8'), 'node-a');
      await assignCampaign(db.pool, 'node-a', { campaign: 'spring', list: 'holiday-video-0042.mp4\nholiday-video-0043.mp4\nholiday-video-0044.mp4\n', perDay: 2, ttlDays: 30, payloadId: null, hybrid: false });
      const loop = assignmentLoop(ctx, { url: server.url, health: () => [], onCreated: async () => { syncs++; }, signal: stop.signal, log: (m) => log.push(m), intervalMs: 50 });
      const counts = () => ctx.store.campaigns.statusCounts(ctx.store.campaigns.get('spring').id);
      for (let i = 0; i < 200 && syncs === 0; i++) await sleep(50);
      assert.deepEqual(counts(), { planned: 1, active: 2, retired: 0 }, log.join('\n'));
      const before = syncs;

      assert.equal(await unassignCampaign(db.pool, 'node-a', 'spring'), true);
      for (let i = 0; i < 200 && syncs === before; i++) await sleep(50);
      assert.ok(syncs > before, 'the node synced its served decoys after the stop');
      assert.ok(log.some((l) => /unassigned campaign\(s\) spring: stopped here/.test(l)), log.join('\n'));
      assert.deepEqual(counts(), { planned: 1, active: 0, retired: 2 });
      const c = ctx.store.campaigns.get('spring');
      assert.ok(c.stoppedAt != null);
      assert.deepEqual(ctx.store.campaigns.due(c, Date.now() + 10 * 86_400_000), [], 'a stopped campaign releases nothing more, on any later day');
      const reasons = (ctx.store as unknown as SqliteStore).database.prepare('SELECT reason FROM decoy_retirements').all().map((r) => r.reason);
      assert.deepEqual(reasons, [UNASSIGNED_REASON, UNASSIGNED_REASON]);
      // Later pulls stop nothing more (the loop settles).
      const settled = syncs;
      await sleep(300);
      assert.equal(syncs, settled);
      stop.abort();
      await loop;
    } finally {
      stop.abort();
      await ctx.close();
      await server.close();
      await db.close();
    }
  });
});

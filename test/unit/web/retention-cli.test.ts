import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { after, before, it } from 'node:test';
import { accessLogPage } from '../../../src/app/access-log.ts';
import { HOSTILE_NAMES, webFixture, type WebFixture } from './fixture.ts';

const MAIN = resolve(import.meta.dirname, '..', '..', '..', 'src', 'cli', 'main.ts');
let f: WebFixture;
before(async () => { f = await webFixture(); });
after(async () => { await f.close(); });
const cli = (args: string[]) => spawnSync(process.execPath, [MAIN, ...args, '--data', join(f.root, 'data')], { encoding: 'utf8', timeout: 120_000 });

it('retention review | hold | holds | run: what is due, a hold keeps an address, the job erases the rest and logs it', async () => {
  const n = HOSTILE_NAMES.length;
  // A 1-day period: every fixture delivery (2025) is due.
  const review = cli(['retention', 'review', '--retain-deliveries', '1', '--json']);
  assert.equal(review.status, 0, review.stderr);
  const r = JSON.parse(review.stdout) as { categories: { category: string; due: number }[] };
  assert.equal(r.categories.find((c) => c.category === 'deliveries')!.due, 3 * n);
  assert.equal(cli(['retention', 'hold', '--ip', 'not-an-ip', '--case', 'case-9']).status, 2, 'bad input: exit 2');
  const hold = cli(['retention', 'hold', '--ip', '198.18.0.11', '--case', 'case-9']);
  assert.match(hold.stdout, /legal hold 1 on 198\.18\.0\.11 \(case case-9\)/);
  assert.match(cli(['retention', 'holds']).stdout, /198\.18\.0\.11\tcase-9\tcli:/);
  const dry = cli(['retention', 'run', '--dry-run', '--retain-deliveries', '1']);
  assert.match(dry.stdout, new RegExp(`deliveries: would erase ${2 * n} records .*; ${n} kept by legal hold`));
  assert.equal((await f.ctx.store.queryDeliveries({})).length, 3 * n, 'a dry run erases nothing');
  const run = cli(['retention', 'run', '--retain-deliveries', '1']);
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, new RegExp(`deliveries: erased ${2 * n} records .*; ${n} kept by legal hold`));
  assert.deepEqual([...new Set((await f.ctx.store.queryDeliveries({})).map((d) => d.remoteIp))], ['198.18.0.11']);
  assert.match(cli(['retention', 'verify']).stdout, new RegExp(`ok: ${2 * n} tombstones from 1 erasures`));
  const log = accessLogPage(f.g, 0, 100).entries;
  assert.ok(log.some((e) => e.action === 'hold' && e.user.startsWith('cli:') && e.purpose === 'case-9'));
  assert.ok(log.some((e) => e.action === 'erase' && e.user === 'erasure-job' && e.purpose === 'retention period of 1 days (retention.deliveriesDays)'));
});

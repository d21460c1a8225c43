import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';

// Issue 15 item 12: campaign show printed the same line as campaign list.
const MAIN = fileURLToPath(new URL('../../../src/cli/main.ts', import.meta.url));
const run = (...a: string[]) => spawnSync(process.execPath, [MAIN, ...a], { encoding: 'utf8', timeout: 60_000 });

it('campaign show prints the campaign\'s details, one per line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cs-camp-show-'));
  const data = join(dir, 'data');
  writeFileSync(join(dir, 'c.csv'), 'name,size,language,folder\nholiday-video-0042.mp4,300000,,\nholiday-video-0043.mp4,300000,,\nholiday-video-0044.mp4,300000,,\n');
  const created = run('campaign', 'create', 'spring', '--names', join(dir, 'c.csv'), '--per-day', '2', '--ttl', '30', '--data', data);
  assert.equal(created.status, 0, created.stderr);
  const show = run('campaign', 'show', 'spring', '--data', data);
  assert.equal(show.status, 0, show.stderr);
  const list = run('campaign', 'list', '--data', data);
  assert.notEqual(show.stdout.trim(), list.stdout.trim());
  assert.match(show.stdout, /^campaign +spring \(id 1\)\ncreated \(UTC\) +\d{4}-\d\d-\d\dT[\d:.]+Z\nrelease +2 decoys a day; each retired after 30 days\n/);
  assert.match(show.stdout, /\nplanned +1 decoys not yet released \(1 more days of releases\)\nactive +2\nretired +0\ndeliveries +0\n$/);
  assert.equal(run('campaign', 'show', 'autumn', '--data', data).status, 3);
});

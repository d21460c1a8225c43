import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { formatTime } from '../../../src/domain/display-time.ts';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.ts';
import { sampleDelivery } from '../../helpers/sample-observations.ts';
import { testDecoy } from '../../helpers/test-decoy.ts';

// Issue 15 item 12: deliveries showed no decoy name or end time, --limit N gave the oldest N, no CSV; health showed infohashes.
const MAIN = fileURLToPath(new URL('../../../src/cli/main.ts', import.meta.url));

describe('deliveries output an analyst can use', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cs-deliv-out-'));
  // An hour ago, on a whole second: inside health's window whatever the date.
  const base = Math.floor(Date.now() / 1000) * 1000 - 3_600_000;
  const iso = (ms: number) => new Date(ms).toISOString();
  const re = (ms: number) => iso(ms).replace(/\./g, '\\.');
  before(async () => {
    const store = new SqliteStore(join(dir, 'counterseed.db'));
    const d = testDecoy({ name: 'holiday-video-0042.mp4', size: 50_000 }).decoy;
    store.insertPayload({ id: d.payloadId, size: d.size, label: 'a', mediaType: 'video/mp4', addedAt: 1 });
    const [decoy] = await store.insertDecoys([d], 1);
    await store.appendObservations([0, 1, 2, 3].map((i) => sampleDelivery(decoy!.id, decoy!.infoHash, { startedAt: base + i * 1000, endedAt: base + i * 1000 + 500, remoteIp: `198.18.0.${10 + i}` })));
    await store.close();
  });
  const run = (...a: string[]) => spawnSync(process.execPath, [MAIN, 'deliveries', '--data', dir, ...a], { encoding: 'utf8', timeout: 30_000 });

  it('--limit N gives the newest N; --order asc the oldest', () => {
    const ips = (r: ReturnType<typeof run>) => r.stdout.trim().split('\n').slice(1).map((l) => l.split(',')[2]);
    assert.deepEqual(ips(run('--csv', '--limit', '2')), ['198.18.0.13', '198.18.0.12']);
    assert.deepEqual(ips(run('--csv', '--limit', '2', '--order', 'asc')), ['198.18.0.10', '198.18.0.11']);
    assert.deepEqual(ips(run('--csv', '--from', iso(base + 1000), '--to', iso(base + 3000))), ['198.18.0.12', '198.18.0.11']);
  });

  it('health lists decoys by name (it showed infohashes)', () => {
    const r = spawnSync(process.execPath, [MAIN, 'health', '--data', dir, '--hours', '48'], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`decoy +inbound +presence +last inbound \\(UTC\\) +name\\n +1 +4 +\\d+ +${re(base + 3000)} +holiday-video-0042\\.mp4\\n`));
  });

  it('table and CSV name the decoy and give the end time in UTC', () => {
    const t = run('--limit', '1');
    assert.equal(t.status, 0, t.stderr);
    assert.match(t.stdout.split('\n')[0]!, /^start \(UTC\) +end \(UTC\) +remote .*decoy name$/);
    assert.match(t.stdout.split('\n')[1]!, new RegExp(`^${re(base + 3000)} ${re(base + 3500)} .*holiday-video-0042\\.mp4$`));
    const csv = run('--csv', '--limit', '1').stdout.split('\n');
    assert.match(csv[0]!, /^start_utc,end_utc,remote_ip,remote_port,decoy_id,decoy_name,/);
    assert.match(csv[1]!, new RegExp(`^${re(base + 3000)},${re(base + 3500)},198\\.18\\.0\\.13,\\d+,1,holiday-video-0042\\.mp4,`));
  });

  it('--tz shows table times in that zone with their offset; CSV stays UTC; a bad zone is exit 2', () => {
    const oslo = (ms: number) => formatTime(ms, 'Europe/Oslo').replace(/[.+]/g, (c) => `\\${c}`);
    const t = run('--limit', '1', '--tz', 'Europe/Oslo');
    assert.equal(t.status, 0, t.stderr);
    assert.match(t.stdout.split('\n')[0]!, /^start \(Europe\/Oslo\) +end \(Europe\/Oslo\) +remote /);
    assert.match(t.stdout.split('\n')[1]!, new RegExp(`^${oslo(base + 3000)} ${oslo(base + 3500)} .*holiday-video-0042\\.mp4$`));
    assert.match(run('--csv', '--limit', '1', '--tz', 'Europe/Oslo').stdout.split('\n')[1]!, new RegExp(`^${re(base + 3000)},`));
    const env = spawnSync(process.execPath, [MAIN, 'deliveries', '--data', dir, '--limit', '1'], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, COUNTERSEED_TZ: 'Europe/Oslo' } });
    assert.match(env.stdout.split('\n')[1]!, new RegExp(`^${oslo(base + 3000)} `));
    const bad = run('--tz', 'Mars/Olympus');
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /unknown time zone "Mars\/Olympus"/);
    assert.doesNotMatch(bad.stderr, /    at /);
  });
});


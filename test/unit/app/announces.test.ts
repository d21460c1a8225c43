import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { queryAnnounces } from '../../../src/app/announces.ts';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.ts';
import { insertNodeRun } from '../../../src/store/sqlite/node-runs.ts';
import { sampleAnnounce } from '../../helpers/sample-observations.ts';

// Issue 15 item 12: announces had no header, no filters, and mixed in the node's own announces.
const OWN = '2d4353303031302d98ca6c92863ec51858ec5cf1';
const OTHER = '2d4c42303030312d4300aad88aae7ba940497be0';
const IH = 'b4902790a74d102e14f42dbdc4665a49369851e8';
const MAIN = fileURLToPath(new URL('../../../src/cli/main.ts', import.meta.url));

describe('announces: filters, newest first, without the node\'s own', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cs-ann-'));
  let store: SqliteStore;
  before(async () => {
    store = new SqliteStore(join(dir, 'counterseed.db'));
    insertNodeRun(store.database, { startedAt: 1, firstSeq: 0, toolVersion: 't', runtime: 'r', settings: '{}', presented: JSON.stringify({ peerId: OWN }) });
    const base = Date.UTC(2026, 11, 6, 12, 0, 0);
    await store.appendObservations([
      { ...sampleAnnounce(IH, 1), at: base, peerId: OWN, remoteIp: '127.0.0.1' },
      { ...sampleAnnounce(IH, 1), at: base + 1000, peerId: OTHER, remoteIp: '198.18.0.11' },
      { ...sampleAnnounce(IH, 1), at: base + 2000, peerId: OTHER, remoteIp: '198.18.0.12' },
      { ...sampleAnnounce(IH, null), at: base + 3000, peerId: OTHER, remoteIp: '198.18.0.11' },
      { ...sampleAnnounce(IH, 1), at: base + 4000, peerId: OWN, remoteIp: '127.0.0.1' },
    ]);
  });
  after(() => store.close());

  it('leaves out the node\'s own announces unless asked, newest first, --limit N gives the newest N', async () => {
    const ats = (rows: { at: number }[]) => rows.map((r) => r.at % 10_000);
    assert.deepEqual(ats(await queryAnnounces({ store })), [3000, 2000, 1000]);
    assert.deepEqual(ats(await queryAnnounces({ store }, { includeOwn: true })), [4000, 3000, 2000, 1000, 0]);
    assert.deepEqual(ats(await queryAnnounces({ store }, { limit: 2 })), [3000, 2000]);
    assert.deepEqual(ats(await queryAnnounces({ store }, { limit: 2, order: 'asc' })), [1000, 2000]);
    assert.deepEqual(ats(await queryAnnounces({ store }, { ip: '198.18.0.11' })), [3000, 1000]);
    assert.deepEqual(ats(await queryAnnounces({ store }, { decoyId: 1 })), [2000, 1000]);
    const base = Date.UTC(2026, 11, 6, 12, 0, 0);
    assert.deepEqual(ats(await queryAnnounces({ store }, { from: base + 1000, to: base + 3000 })), [2000, 1000]);
  });

  it('the command prints a header, CSV with UTC times, and takes --from/--to (--since an alias)', () => {
    const run = (...a: string[]) => spawnSync(process.execPath, [MAIN, 'announces', '--data', dir, ...a], { encoding: 'utf8', timeout: 30_000 });
    const table = run();
    assert.equal(table.status, 0, table.stderr);
    assert.match(table.stdout.split('\n')[0]!, /^time \(UTC\) +protocol +remote/);
    assert.match(table.stdout, /3 announces\n$/);
    const csv = run('--csv', '--from', '2026-12-06T12:00:01Z', '--to', '2026-12-06T12:00:03Z').stdout.trim().split('\n');
    assert.equal(csv[0], 'time_utc,protocol,remote_ip,remote_port,announced_port,event,left,downloaded,uploaded,decoy_id,info_hash,peer_id,purpose');
    assert.deepEqual(csv.slice(1).map((l) => l.split(',')[0]), ['2026-12-06T12:00:02.000Z', '2026-12-06T12:00:01.000Z']);
    assert.equal(run('--csv', '--since', '2026-12-06T12:00:02Z').stdout.trim().split('\n').length, 3);
    assert.equal(run('--since', '2026-12-06T12:00:02Z', '--from', '2026-12-06T12:00:02Z').status, 2);
    assert.equal(run('--order', 'sideways').status, 2);
  });
});

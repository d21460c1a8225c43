import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.ts';
import type { NewDecoy } from '../../../src/domain/decoy.ts';
import { sampleAnnounce, sampleDelivery } from '../../helpers/sample-observations.ts';

const dir = mkdtempSync(join(tmpdir(), 'cs-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const payload = { id: 'a'.repeat(64), size: 168_820, label: 'warning.mp4', mediaType: 'video/mp4', addedAt: 1 };
const decoy = (n: number): NewDecoy => ({
  infoHash: n.toString(16).padStart(40, '0'), name: `holiday-video-${String(n).padStart(4, '0')}.mp4`, payloadId: payload.id,
  size: 168_820, pieceLength: 16384, pieceCount: 11, info: new Uint8Array([1, 2, 3, n & 255]), contentSha256: payload.id,
});

describe('SqliteStore', () => {
  it('stores decoys all-or-nothing and refuses duplicate infohashes', async () => {
    const s = new SqliteStore(join(dir, 'a.db'));
    s.insertPayload(payload);
    const [d1] = await s.insertDecoys([decoy(1)], 1000);
    assert.equal(d1!.status, 'active');
    await assert.rejects(s.insertDecoys([decoy(2), decoy(1)], 1000), /already exists/);
    assert.equal((await s.listDecoys()).length, 1, 'the batch with a duplicate left nothing behind');
    assert.deepEqual([...(await s.getDecoy(d1!.id))!.info], [1, 2, 3, 1]);
    await s.close();
  });

  it('round-trips every delivery field and filters by ip, decoy and time', async () => {
    const s = new SqliteStore(join(dir, 'b.db'));
    s.insertPayload(payload);
    const [a, b] = await s.insertDecoys([decoy(1), decoy(2)], 1000);
    const d1 = sampleDelivery(a!.id, a!.infoHash);
    const d2 = sampleDelivery(b!.id, b!.infoHash, { remoteIp: '198.18.0.12', startedAt: d1.startedAt + 60_000, client: null, listenPort: null, completed: false, metadataOnly: true, servedRanges: [] });
    await s.appendObservations([d1, d2, sampleAnnounce(a!.infoHash, a!.id), { kind: 'rejected-connection', at: 5, remoteIp: '198.18.0.99', remotePort: 1, infoHash: null, reason: 'unknown-infohash' }]);
    assert.deepEqual(await s.queryDeliveries({ ip: '198.18.0.11' }), [d1]);
    assert.deepEqual(await s.queryDeliveries({ decoyId: b!.id }), [d2]);
    assert.deepEqual(await s.queryDeliveries({ since: d1.startedAt + 1 }), [d2]);
    assert.equal((await s.queryDeliveries()).length, 2);
    assert.deepEqual(await s.queryAnnounces(), [sampleAnnounce(a!.infoHash, a!.id)]);
    await s.close();
  });

  it('an invalid observation rolls back its whole batch', async () => {
    const s = new SqliteStore(join(dir, 'c.db'));
    s.insertPayload(payload);
    const [a] = await s.insertDecoys([decoy(1)], 1000);
    const good = sampleDelivery(a!.id, a!.infoHash);
    await assert.rejects(s.appendObservations([good, sampleDelivery(999, 'f'.repeat(40))]));
    assert.equal((await s.queryDeliveries()).length, 0);
    await s.close();
  });

  it('stores announce counters that are not exact numbers (Transmission sends 2^64-1 for left) as -1, and keeps quarantined records verbatim', async () => {
    const s = new SqliteStore(join(dir, 'f.db'));
    const a = { ...sampleAnnounce('b'.repeat(40), null), left: 18446744073709551615, downloaded: 2 ** 60, uploaded: 2 ** 53 - 1 };
    await s.appendObservations([a]);
    const [got] = await s.queryAnnounces();
    assert.equal(got!.left, -1);
    assert.equal(got!.downloaded, -1);
    assert.equal(got!.uploaded, 2 ** 53 - 1);
    await s.quarantineObservation(a, 'example');
    const row = s.database.prepare('SELECT kind, error, record FROM observation_quarantine').get()!;
    assert.equal(row.kind, 'tracker-announce');
    assert.equal(JSON.parse(String(row.record)).left, 18446744073709551615);
    await s.close();
  });

  it('bulkRead runs with a small page cache and restores the normal one, also when the read fails', async () => {
    const s = new SqliteStore(join(dir, 'bulk.db'));
    const cache = () => Number(s.database.prepare('PRAGMA cache_size').get()!.cache_size);
    const normal = cache();
    assert.ok(normal <= -16384, 'a 16 MiB cache normally');
    assert.equal(await s.bulkRead(async () => cache()), -1024);
    assert.equal(cache(), normal);
    await assert.rejects(s.bulkRead(async () => { throw new Error('scan failed'); }), /scan failed/);
    assert.equal(cache(), normal);
    assert.equal(await s.countServedDecoys(), 0);
    await s.close();
  });

  it('counters accumulate and survive reopening', async () => {
    const path = join(dir, 'd.db');
    const s = new SqliteStore(path);
    await s.addToCounter('observations.dropped.delivery', 3);
    await s.addToCounter('observations.dropped.delivery', 4);
    await s.close();
    const again = new SqliteStore(path);
    assert.deepEqual(await again.counters(), { 'observations.dropped.delivery': 7 });
    await again.close();
  });

  it('stays near 1 KB per delivery on disk', async () => {
    const path = join(dir, 'e.db');
    const s = new SqliteStore(path);
    s.insertPayload(payload);
    const [a] = await s.insertDecoys([decoy(1)], 1000);
    const batch = Array.from({ length: 5000 }, (_, i) => sampleDelivery(a!.id, a!.infoHash, { remotePort: 1024 + i, startedAt: 1_764_000_000_000 + i }));
    await s.appendObservations(batch);
    await s.close();
    const perRow = statSync(path).size / 5000;
    assert.ok(perRow < 1024, `${perRow.toFixed(0)} bytes per delivery`);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NewDecoy, ServedDecoy } from '../../../src/domain/decoy.ts';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.ts';

const payloads = ['a'.repeat(64), 'b'.repeat(64)];
const decoy = (n: number): NewDecoy => ({
  infoHash: n.toString(16).padStart(40, '0'), name: `holiday-video-${String(n).padStart(4, '0')}.mp4`, payloadId: payloads[n % 2]!,
  size: 168_820 + n, pieceLength: 16384, pieceCount: 11 + n, info: new Uint8Array(10 + n), contentSha256: payloads[0]!,
});

async function all(s: SqliteStore, limit: number): Promise<ServedDecoy[]> {
  const out: ServedDecoy[] = [];
  for (let afterId = 0, page; (page = await s.listServedDecoys({ afterId, limit })).length > 0; afterId = page.at(-1)!.id) {
    assert.ok(page.length <= limit, `a page of ${page.length} rows, limit ${limit}`);
    out.push(...page);
  }
  return out;
}

describe('SqliteStore served decoys (the node start-up load)', () => {
  it('pages through the active decoys in id order, every field as stored, retired ones left out', async () => {
    const s = new SqliteStore(':memory:');
    for (const id of payloads) s.insertPayload({ id, size: 168_820, label: 'warning.mp4', mediaType: 'video/mp4', addedAt: 1 });
    const made = await s.insertDecoys(Array.from({ length: 23 }, (_, i) => decoy(i + 1)), 1000);
    const retired = new Set([made[0]!.id, made[7]!.id, made[22]!.id]);
    for (const id of retired) s.database.prepare("UPDATE decoys SET status = 'retired' WHERE id = ?").run(id);
    const expected = made.filter((d) => !retired.has(d.id)).map((d) => ({
      id: d.id, infoHash: d.infoHash, payloadId: d.payloadId, size: d.size, pieceLength: d.pieceLength, pieceCount: d.pieceCount, infoLength: d.info.length,
    }));

    assert.equal(await s.countServedDecoys(), 20);
    for (const limit of [1, 4, 7, 20, 250]) {
      const got = await all(s, limit);
      assert.deepEqual(got.map((d) => ({ ...d })), expected, `pages of ${limit}`);
      for (const d of got) assert.equal(typeof d.id, 'number');
    }
    assert.deepEqual(await s.listServedDecoys({ afterId: made.at(-1)!.id, limit: 10 }), []);
    await s.close();
  });

  it('reads the same pages inside bulkRead, and leaves the store usable after it', async () => {
    const s = new SqliteStore(':memory:');
    s.insertPayload({ id: payloads[0]!, size: 168_820, label: 'warning.mp4', mediaType: 'video/mp4', addedAt: 1 });
    s.insertPayload({ id: payloads[1]!, size: 168_820, label: 'warning.mp4', mediaType: 'video/mp4', addedAt: 1 });
    await s.insertDecoys(Array.from({ length: 9 }, (_, i) => decoy(i + 1)), 1000);
    const outside = await all(s, 4);
    const inside = await s.bulkRead(() => all(s, 4));
    assert.deepEqual(inside.map((d) => ({ ...d })), outside.map((d) => ({ ...d })));
    assert.deepEqual([...new Set(inside.map((d) => d.payloadId))].sort(), payloads);
    await s.insertDecoys([decoy(50)], 1001);
    assert.equal(await s.countServedDecoys(), 10);
    await s.close();
  });
});

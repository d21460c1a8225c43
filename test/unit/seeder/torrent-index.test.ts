import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { it } from 'node:test';
import { TorrentIndex } from '../../../src/bittorrent/seeder/torrent-index.ts';
import { toServedDecoy } from '../../../src/domain/decoy.ts';
import { infoHashFromHex } from '../../../src/domain/info-hash.ts';
import { testDecoy } from '../../helpers/test-decoy.ts';

it('routes compact decoys, loads info dicts on demand through a bounded LRU, and resolves MSE req2', () => {
  const decoys = [1, 2, 3].map((id) => testDecoy({ id, size: 40_000 + id, name: `holiday-video-000${id}.mp4` }).decoy);
  const loads: number[] = [];
  const index = new TorrentIndex({ sourceFor: () => { throw new Error('not needed'); }, loadInfo: (d) => { loads.push(d.id); return decoys[d.id - 1]!.info; }, infoCacheSize: 2 });
  for (const d of decoys) index.add(toServedDecoy(d));
  assert.equal(index.size, 3);
  const t2 = index.get(decoys[1]!.infoHash)!;
  assert.equal('info' in t2.decoy, false, 'no info dict is held per decoy');
  assert.deepEqual(t2.info(), decoys[1]!.info);
  t2.info();
  assert.deepEqual(loads, [2], 'cached after the first load');
  index.get(decoys[0]!.infoHash)!.info();
  index.get(decoys[2]!.infoHash)!.info();
  index.get(decoys[1]!.infoHash)!.info();
  assert.deepEqual(loads, [2, 1, 3, 2], 'least recently used entry was evicted');

  const ih = infoHashFromHex(decoys[2]!.infoHash);
  const req2 = createHash('sha1').update('req2').update(ih).digest();
  assert.deepEqual(index.resolveReq2(req2), ih);
  assert.equal(index.remove(decoys[2]!.infoHash), true);
  assert.equal(index.resolveReq2(req2), undefined);
  assert.equal(index.get(decoys[2]!.infoHash), undefined);
});

it('refuses an info dict whose length disagrees with the record', () => {
  const { decoy } = testDecoy();
  const fresh = new TorrentIndex({ sourceFor: () => { throw new Error('unused'); }, loadInfo: () => decoy.info.subarray(1) });
  fresh.add({ ...toServedDecoy(decoy) });
  assert.throws(() => fresh.get(decoy.infoHash)!.info(), /expected/);
});

it('reserve sizes the index once; adds past the reservation still grow it', () => {
  const decoys = Array.from({ length: 7 }, (_, i) => testDecoy({ id: i + 1, size: 30_000 + i, name: `holiday-video-00${i + 1}.mp4` }).decoy);
  const index = new TorrentIndex({ sourceFor: () => { throw new Error('not needed'); }, loadInfo: (d) => decoys[d.id - 1]!.info });
  index.reserve(3);
  for (const d of decoys) index.add(toServedDecoy(d));
  index.reserve(2);
  assert.equal(index.size, 7);
  for (const d of decoys) assert.equal(index.get(d.infoHash)?.decoy.id, d.id);
});

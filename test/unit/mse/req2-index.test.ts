import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomInt } from 'node:crypto';
import { buildReq2Resolver } from '../../../src/bittorrent/mse/req2-index.ts';
import { req2Hash } from '../../../src/bittorrent/mse/hashes.ts';
import { MseResponder } from '../../../src/bittorrent/mse/responder.ts';
import { MseInitiator } from '../../helpers/mse-initiator.ts';
import { pump } from './pump.ts';

const sha1 = (...p: (string | Uint8Array)[]): Uint8Array => {
  const h = createHash('sha1');
  for (const x of p) h.update(x);
  return new Uint8Array(h.digest());
};
const hashes = Array.from({ length: 1000 }, (_, i) => sha1(`holiday-video-${String(i).padStart(4, '0')}.mp4`));

test('req2Hash is SHA1("req2" || infohash)', () => {
  const h = hashes[7]!;
  assert.deepEqual(req2Hash(h), sha1('req2', h));
});

test('an index of 1000 infohashes resolves each req2 to its own infohash', () => {
  const resolve = buildReq2Resolver(hashes);
  for (const h of hashes) assert.deepEqual(resolve(req2Hash(h)), h);
  assert.equal(resolve(req2Hash(sha1('holiday-video-absent.mp4'))), undefined);
  assert.equal(resolve(hashes[0]!), undefined, 'a bare infohash is not a req2 hash');
  assert.equal(resolve(new Uint8Array(19)), undefined);
  assert.throws(() => buildReq2Resolver([new Uint8Array(19)]), RangeError);
});

test('a responder with a 1000-torrent index identifies which torrent the initiator wants', () => {
  const resolveReq2 = buildReq2Resolver(hashes);
  for (let k = 0; k < 10; k++) {
    const want = hashes[randomInt(0, hashes.length)]!;
    const out = pump(new MseInitiator({ infoHash: want, cryptoProvide: 0x02 }), new MseResponder({ resolveReq2 }), 'random');
    assert.deepEqual(out.responder.infoHash, want);
  }
});

test('the resolver returns copies, so callers cannot corrupt the index', () => {
  const resolve = buildReq2Resolver(hashes.slice(0, 2));
  const got = resolve(req2Hash(hashes[0]!))!;
  got.fill(0);
  assert.deepEqual(resolve(req2Hash(hashes[0]!)), hashes[0]);
});

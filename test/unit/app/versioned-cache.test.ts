import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VersionedCache } from '../../../src/app/versioned-cache.ts';

test('a versioned cache reuses an answer only at the version it was computed at, per owner and key, bounded', () => {
  const cache = new VersionedCache<string>(2);
  const a = {}, b = {};
  let computed = 0;
  const get = (owner: object, key: string, version: string) => cache.get(owner, key, version, () => `${key}@${version}#${++computed}`);
  assert.equal(get(a, 'k', 'v1'), 'k@v1#1');
  assert.equal(get(a, 'k', 'v1'), 'k@v1#1', 'same version: kept');
  assert.equal(get(a, 'k', 'v2'), 'k@v2#2', 'new version: computed again');
  assert.equal(get(a, 'k', 'v1'), 'k@v1#3', 'an older version is not kept beside the newer');
  assert.equal(get(b, 'k', 'v1'), 'k@v1#4', 'another owner: its own entries');
  get(a, 'x', 'v1');
  assert.equal(get(a, 'k', 'v1'), 'k@v1#3', 'two keys fit');
  get(a, 'y', 'v1'); // k was used last, so x (least recently used) goes
  assert.equal(get(a, 'k', 'v1'), 'k@v1#3');
  assert.equal(get(a, 'x', 'v1'), 'x@v1#7', 'dropped: computed again');
  assert.throws(() => new VersionedCache(0), /from 1/);
});

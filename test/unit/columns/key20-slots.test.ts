import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { it } from 'node:test';
import { Key20Slots } from '../../../src/bittorrent/columns/key20-slots.ts';

const key = (i: number) => createHash('sha1').update(`holiday-video-${i}.mp4`).digest();

it('finds every key by its slot through growth and backward-shift deletions, like a Map does', () => {
  const n = 5000;
  const column = new Uint8Array(n * 20);
  const slots = new Key20Slots(() => column);
  const model = new Map<string, number>();
  for (let s = 0; s < n; s++) {
    column.set(key(s), s * 20);
    slots.insert(s);
    model.set(key(s).toString('hex'), s);
  }
  // Delete every third key, then check every key, present or not.
  for (let s = 0; s < n; s += 3) { assert.equal(slots.delete(s), true); model.delete(key(s).toString('hex')); }
  assert.equal(slots.delete(0), false, 'already deleted');
  assert.equal(slots.size, model.size);
  for (let s = 0; s < n; s++) assert.equal(slots.find(key(s)), model.get(key(s).toString('hex')) ?? -1, `key ${s}`);
  assert.equal(slots.find(key(n + 1)), -1);
});

it('keeps regular keys apart (all 20 bytes are hashed) and finds a key at an offset', () => {
  const column = new Uint8Array(64 * 20);
  const slots = new Key20Slots(() => column);
  for (let s = 0; s < 64; s++) { column[s * 20 + 19] = s; slots.insert(s); }
  const probe = new Uint8Array(25);
  probe[5 + 19] = 42;
  assert.equal(slots.find(probe, 5), 42);
  for (let s = 0; s < 64; s += 2) slots.delete(s);
  for (let s = 0; s < 64; s++) { probe[5 + 19] = s; assert.equal(slots.find(probe, 5), s % 2 === 0 ? -1 : s); }
});

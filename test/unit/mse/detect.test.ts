import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyFirstBytes } from '../../../src/bittorrent/mse/detect.ts';

const plain = new Uint8Array([19, ...Buffer.from('BitTorrent protocol', 'latin1'), 0, 0, 0, 0, 0, 0x10, 0, 0x05]);

test('a full plaintext handshake prefix is plain', () => {
  assert.equal(classifyFirstBytes(plain), 'plain');
  assert.equal(classifyFirstBytes(plain.subarray(0, 20)), 'plain');
});

test('a matching but short prefix needs more bytes', () => {
  assert.equal(classifyFirstBytes(new Uint8Array(0)), 'need-more');
  for (let n = 1; n < 20; n++) assert.equal(classifyFirstBytes(plain.subarray(0, n)), 'need-more', `n=${n}`);
});

test('any differing byte means MSE, decided as early as possible', () => {
  assert.equal(classifyFirstBytes(new Uint8Array([18])), 'mse');
  for (let i = 0; i < 20; i++) {
    const b = plain.slice(0, 20);
    b[i] = b[i]! ^ 0x20;
    assert.equal(classifyFirstBytes(b), 'mse', `flip at ${i}`);
    assert.equal(classifyFirstBytes(b.subarray(0, i + 1)), 'mse', `short, flip at ${i}`);
  }
});

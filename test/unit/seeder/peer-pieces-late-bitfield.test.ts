import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PeerPieces } from '../../../src/bittorrent/seeder/peer-pieces.ts';

test('a later bitfield (aria2 sends one instead of >= 20 haves) updates progress, keeps the start, never removes pieces', () => {
  const p = new PeerPieces(12);
  p.none();
  p.have(0);
  p.bitfield(new Uint8Array([0b0111_0000, 0b0000_0000])); // pieces 1-3, not 0
  assert.equal(p.count, 4, 'union with what was reported before');
  assert.equal(p.atStart, 0, 'start stays "none"');
  assert.equal(p.hadAtStart(1), false);
  p.bitfield(new Uint8Array([0xff, 0xf0]));
  assert.equal(p.complete, true);
  assert.throws(() => p.bitfield(new Uint8Array([0xff])), /bad-bitfield-length/);
  assert.throws(() => new PeerPieces(12).bitfield(new Uint8Array([0, 0x01])), /bitfield-spare-bits/);
});

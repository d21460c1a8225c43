import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseClient, peerIdToHex } from '../../../src/bittorrent/wire/index.ts';

/** Pads a prefix to a 20-byte id with the random-looking tail clients use. */
const id = (prefix: string) => {
  const out = new Uint8Array(20).fill(0x5a);
  out.set(new TextEncoder().encode(prefix).subarray(0, 20));
  return out;
};

test('the three clients of the interop tests', () => {
  assert.equal(parseClient(id('-TR3000-')), 'Transmission 3.00');
  assert.equal(parseClient(id('-LT2080-')), 'libtorrent (Rasterbar) 2.0.8');
  assert.equal(parseClient(id('A2-1-36-0-')), 'aria2 1.36.0');
});

test('Transmission version conventions before and after 4.0', () => {
  assert.equal(parseClient(id('-TR2940-')), 'Transmission 2.94');
  assert.equal(parseClient(id('-TR294Z-')), 'Transmission 2.94+');
  assert.equal(parseClient(id('-TR4050-')), 'Transmission 4.0.5');
});

test('other Azureus-style clients', () => {
  assert.equal(parseClient(id('-lt0D60-')), 'libTorrent (rakshasa) 0.13.6');
  assert.equal(parseClient(id('-qB4630-')), 'qBittorrent 4.6.3');
  assert.equal(parseClient(id('-DE13F0-')), 'Deluge 1.3.15');
  assert.equal(parseClient(id('-UT355B-')), 'µTorrent 3.5.5');
  assert.equal(parseClient(id('-BT7A10-')), 'BitTorrent 7.10.1');
  assert.equal(parseClient(id('-WW0105-')), 'WebTorrent 0.1.0.5');
  assert.equal(parseClient(id('-AZ5770-')), 'Vuze 5.7.7');
  assert.equal(parseClient(id('-BC0217-')), 'BitComet 2.17');
  assert.equal(parseClient(id('-KT4130-')), 'KTorrent 4.1.3');
  assert.equal(parseClient(id('-BI3600-')), 'BiglyBT 3.6.0');
  assert.equal(parseClient(id('-PI0300-')), 'PicoTorrent 0.3.0');
});

test('unknown two-letter codes keep their code and version', () => {
  assert.equal(parseClient(id('-ZQ1230-')), 'unknown (ZQ) 1.2.3');
});

test('Mainline style', () => {
  assert.equal(parseClient(id('M4-3-6--')), 'BitTorrent (Mainline) 4.3.6');
  assert.equal(parseClient(id('M7-10-3-')), 'BitTorrent (Mainline) 7.10.3');
});

test('unrecognised ids give null', () => {
  assert.equal(parseClient(new Uint8Array(20)), null);
  assert.equal(parseClient(id('-TR30-0-')), null);
  assert.equal(parseClient(id('TR3000--')), null);
  assert.equal(parseClient(id('A2-x-36-0-')), null);
  assert.equal(parseClient(new Uint8Array(0)), null);
  assert.equal(parseClient(new Uint8Array(20).fill(0xff)), null);
});

test('peerIdToHex renders all 20 bytes of a view', () => {
  const backing = new Uint8Array(30).fill(0xab);
  backing.set(Uint8Array.from({ length: 20 }, (_, i) => i), 5);
  assert.equal(peerIdToHex(backing.subarray(5, 25)), '000102030405060708090a0b0c0d0e0f10111213');
});

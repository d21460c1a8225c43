/**
 * Checks the codec against an independent implementation, in memory (no
 * sockets): bittorrent-protocol's Wire encodes, we decode; we encode, it decodes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import Wire from 'bittorrent-protocol';
import {
  type Message, Framer, decodeExtendedHandshake, encodeExtendedHandshake, encodeHandshake, encodeMessage, makeReserved,
  reservedFlags,
} from '../../../src/bittorrent/wire/index.ts';

interface WireLike {
  on(event: string, fn: (...args: unknown[]) => void): void;
  write(b: Uint8Array): void;
  destroy(): void;
  [method: string]: unknown;
}

const infoHash = new Uint8Array(20).fill(0x22);
const peerId = new TextEncoder().encode('-WW0100-abcdefghijkl');
const ourPeerId = new TextEncoder().encode('-CS0001-abcdefghijkl');

test('frames written by bittorrent-protocol decode to the expected messages', async () => {
  const wire = new Wire() as unknown as WireLike;
  const bytes: Uint8Array[] = [];
  wire.on('data', (b) => bytes.push(b as Uint8Array));
  const call = (name: string, ...args: unknown[]) => (wire[name] as (...a: unknown[]) => void)(...args);
  call('handshake', infoHash, peerId, { fast: true, dht: true });
  call('bitfield', Uint8Array.of(0xff, 0xc0));
  call('have', 5);
  call('unchoke');
  call('interested');
  call('port', 6881);
  call('extended', 0, { m: { ut_metadata: 1 }, metadata_size: 1234 });
  call('piece', 1, 16384, Uint8Array.of(1, 2, 3));
  await new Promise((r) => setImmediate(r));
  wire.destroy();

  const f = new Framer({ expectHandshake: true });
  for (const b of bytes) f.push(b);
  const hs = f.next();
  assert.ok(hs?.kind === 'handshake');
  assert.deepEqual(hs.handshake.infoHash, infoHash);
  assert.deepEqual(hs.handshake.peerId, peerId);
  assert.deepEqual(reservedFlags(hs.handshake.reserved), { extended: true, fast: true, dht: true });
  const got: Message[] = [];
  for (let i = 0; i < 20; i++) {
    const fr = f.next();
    if (fr === undefined) break;
    if (fr.kind === 'message') got.push(fr.message);
  }
  const ext = got[5];
  assert.ok(ext?.type === 'extended' && ext.id === 0);
  const eh = decodeExtendedHandshake(ext.payload);
  assert.equal(eh.m.get('ut_metadata'), 1);
  assert.equal(eh.metadataSize, 1234);
  assert.deepEqual(got.filter((m) => m.type !== 'extended'), [
    { type: 'bitfield', bitfield: Uint8Array.of(0xff, 0xc0) },
    { type: 'have', index: 5 },
    { type: 'unchoke' },
    { type: 'interested' },
    { type: 'port', port: 6881 },
    { type: 'piece', index: 1, begin: 16384, block: Uint8Array.of(1, 2, 3) },
  ]);
  assert.equal(f.buffered, 0);
});

test('frames we write are understood by bittorrent-protocol', async () => {
  const wire = new Wire() as unknown as WireLike;
  wire.on('data', () => {}); // keep its readable side flowing
  const events: unknown[][] = [];
  for (const name of ['have', 'bitfield', 'unchoke', 'port', 'cancel']) wire.on(name, (...a) => events.push([name, ...a]));
  const signal = AbortSignal.timeout(5000); // bound, not a speed assertion
  const handshake = once(wire as never, 'handshake', { signal });
  const extended = once(wire as never, 'extended', { signal });

  wire.write(encodeHandshake({ reserved: makeReserved({ extended: true }), infoHash, peerId: ourPeerId }));
  const [hashHex, peerHex, exts] = await handshake;
  assert.equal(hashHex, Buffer.from(infoHash).toString('hex'));
  assert.equal(peerHex, Buffer.from(ourPeerId).toString('hex'));
  assert.equal((exts as { extended: boolean }).extended, true);

  for (const m of [
    { type: 'unchoke' },
    { type: 'have', index: 7 },
    { type: 'port', port: 51413 },
    { type: 'cancel', index: 1, begin: 0, length: 16384 },
    { type: 'extended', id: 0, payload: encodeExtendedHandshake({ m: new Map([['ut_metadata', 3]]), metadataSize: 777, uploadOnly: true, v: 'counterseed' }) },
  ] as Message[]) wire.write(encodeMessage(m));
  const [kind, info] = await extended;
  wire.destroy();

  assert.equal(kind, 'handshake');
  const d = info as { m: { ut_metadata: number }; metadata_size: number; upload_only: number; v: Uint8Array };
  assert.equal(d.m.ut_metadata, 3);
  assert.equal(d.metadata_size, 777);
  assert.equal(d.upload_only, 1);
  assert.equal(Buffer.from(d.v).toString(), 'counterseed');
  assert.deepEqual(events.map((e) => e[0]), ['unchoke', 'have', 'port', 'cancel']);
  assert.deepEqual(events[1], ['have', 7]);
  assert.deepEqual(events[2], ['port', 51413]);
  assert.deepEqual(events[3], ['cancel', 1, 0, 16384]);
});

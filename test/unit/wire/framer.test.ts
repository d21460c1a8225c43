import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  type Frame, type Message, Framer, MAX_FRAME_LENGTH, WireError, encodeHandshake, encodeMessage, makeReserved,
} from '../../../src/bittorrent/wire/index.ts';

const infoHash = new Uint8Array(20).fill(0x11);
const peerId = new TextEncoder().encode('-TR3000-000000000000');
const handshake = encodeHandshake({ reserved: makeReserved({ extended: true }), infoHash, peerId });

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

/** Drains every complete frame, with a hard bound so a bug cannot loop forever. */
function drain(f: Framer, max = 100_000): Frame[] {
  const out: Frame[] = [];
  for (let i = 0; i < max; i++) {
    const fr = f.next();
    if (fr === undefined) return out;
    out.push(fr);
  }
  throw new Error('drain bound reached');
}

const messages: Message[] = [
  { type: 'bitfield', bitfield: Uint8Array.of(0xf0) },
  { type: 'interested' },
  { type: 'keep-alive' },
  { type: 'request', index: 0, begin: 0, length: 16384 },
  { type: 'extended', id: 0, payload: new TextEncoder().encode('d1:md11:ut_metadatai2eee') },
  { type: 'piece', index: 0, begin: 0, block: Uint8Array.from({ length: 300 }, (_, i) => i & 0xff) },
];
const stream = concat([handshake, ...messages.map(encodeMessage)]);

function checkStream(frames: Frame[]): void {
  assert.equal(frames.length, 1 + messages.length);
  const [first, ...rest] = frames;
  assert.ok(first?.kind === 'handshake');
  assert.deepEqual(first.handshake.infoHash, infoHash);
  assert.deepEqual(first.handshake.peerId, peerId);
  assert.deepEqual(rest.map((f) => (f.kind === 'message' ? f.message : undefined)), messages);
  assert.deepEqual(rest.map((f) => (f.kind === 'message' ? f.wireLength : 0)), messages.map((m) => encodeMessage(m).length));
}

test('handshake then messages, all in one chunk', () => {
  const f = new Framer({ expectHandshake: true });
  f.push(stream);
  checkStream(drain(f));
  assert.equal(f.buffered, 0);
});

test('the same stream split into 1-byte pushes yields the same frames', () => {
  const f = new Framer({ expectHandshake: true });
  const frames: Frame[] = [];
  for (let i = 0; i < stream.length; i++) {
    f.push(stream.subarray(i, i + 1));
    frames.push(...drain(f));
  }
  checkStream(frames);
  assert.equal(f.buffered, 0);
});

test('truncated frames wait for more bytes and never yield a partial message', () => {
  const frame = encodeMessage({ type: 'request', index: 1, begin: 2, length: 3 });
  const f = new Framer({ expectHandshake: false });
  for (let i = 0; i < frame.length - 1; i++) {
    f.push(frame.subarray(i, i + 1));
    assert.equal(f.next(), undefined);
    assert.equal(f.buffered, i + 1);
  }
  f.push(frame.subarray(frame.length - 1));
  assert.deepEqual(f.next(), { kind: 'message', message: { type: 'request', index: 1, begin: 2, length: 3 }, wireLength: 17 });
});

test('without expectHandshake the first bytes are a message', () => {
  const f = new Framer({ expectHandshake: false });
  f.push(encodeMessage({ type: 'have-all' }));
  assert.deepEqual(drain(f), [{ kind: 'message', message: { type: 'have-all' }, wireLength: 5 }]);
});

test('a hostile 0xFFFFFFFF length throws as soon as the prefix is in, and nothing stays buffered', () => {
  const f = new Framer({ expectHandshake: false });
  f.push(Uint8Array.of(0xff, 0xff, 0xff));
  assert.equal(f.next(), undefined);
  f.push(Uint8Array.of(0xff, 1, 2, 3));
  assert.throws(() => f.next(), (e) => e instanceof WireError && e.reason === 'frame-too-long');
  assert.equal(f.buffered, 0);
  // Dead: more input is not kept, and the same error comes back.
  f.push(new Uint8Array(1000));
  assert.equal(f.buffered, 0);
  assert.throws(() => f.next(), (e) => e instanceof WireError && e.reason === 'frame-too-long');
});

test('a bitfield frame one byte over the limit is refused before its body arrives', () => {
  const f = new Framer({ expectHandshake: false });
  const prefix = new Uint8Array(5);
  new DataView(prefix.buffer).setUint32(0, MAX_FRAME_LENGTH + 1);
  prefix[4] = 5;
  f.push(prefix);
  assert.throws(() => f.next(), (e) => e instanceof WireError && e.reason === 'frame-too-long');
});

test('a bitfield for 2^20 pieces exactly fits the default limit', () => {
  const f = new Framer({ expectHandshake: false });
  const bitfield = new Uint8Array(1 << 17).fill(0xff);
  f.push(encodeMessage({ type: 'bitfield', bitfield }));
  const fr = f.next();
  assert.ok(fr?.kind === 'message' && fr.message.type === 'bitfield');
  assert.equal(fr.message.bitfield.length, 1 << 17);
});

test('a custom lower limit applies', () => {
  const f = new Framer({ expectHandshake: false, limits: { maxFrameLength: 13 } });
  f.push(encodeMessage({ type: 'request', index: 0, begin: 0, length: 1 }));
  assert.equal(f.next()?.kind, 'message');
  f.push(encodeMessage({ type: 'piece', index: 0, begin: 0, block: new Uint8Array(5) }));
  assert.throws(() => f.next(), (e) => e instanceof WireError && e.reason === 'frame-too-long');
  assert.throws(() => new Framer({ expectHandshake: false, limits: { maxFrameLength: 0 } }), RangeError);
  assert.throws(() => new Framer({ expectHandshake: false, limits: { maxFrameLength: 2 ** 32 } }), RangeError);
});

test('a flood of 10,000 requests in one chunk parses, and buffering shrinks as frames are read', () => {
  const n = 10_000;
  const chunk = concat(Array.from({ length: n }, (_, i) => encodeMessage({ type: 'request', index: i, begin: 0, length: 16384 })));
  const f = new Framer({ expectHandshake: false });
  f.push(chunk);
  let count = 0;
  let last = f.buffered;
  for (let fr = f.next(); fr !== undefined; fr = f.next()) {
    assert.ok(fr.kind === 'message' && fr.message.type === 'request' && fr.message.index === count);
    assert.equal(f.buffered, last - 17);
    last = f.buffered;
    if (++count > n) break;
  }
  assert.equal(count, n);
  assert.equal(f.buffered, 0);
});

test('many tiny chunks are each kept once: buffered equals bytes pushed, then drains to zero', () => {
  const piece = encodeMessage({ type: 'piece', index: 0, begin: 0, block: new Uint8Array(100_000).fill(7) });
  const f = new Framer({ expectHandshake: false });
  for (let i = 0; i < piece.length; i += 3) {
    f.push(piece.subarray(i, i + 3));
    if (i + 3 < piece.length) assert.equal(f.next(), undefined);
  }
  assert.equal(f.buffered, piece.length);
  const fr = f.next();
  assert.ok(fr?.kind === 'message' && fr.message.type === 'piece');
  assert.equal(fr.message.block.length, 100_000);
  assert.ok(fr.message.block.every((b) => b === 7));
  assert.equal(f.buffered, 0);
});

test('a non-BitTorrent stream fails at the first wrong byte of the handshake', () => {
  const f = new Framer({ expectHandshake: true });
  f.push(Uint8Array.of(19, 0x42, 0x69));
  assert.equal(f.next(), undefined);
  f.push(Uint8Array.of(0x00));
  assert.throws(() => f.next(), (e) => e instanceof WireError && e.reason === 'bad-protocol-string');
  const g = new Framer({ expectHandshake: true });
  g.push(new TextEncoder().encode('GET / HTTP/1.1\r\n'));
  assert.throws(() => g.next(), (e) => e instanceof WireError && e.reason === 'bad-protocol-string');
});

test('before the handshake at most 68 bytes are consumed; the rest waits for next()', () => {
  const f = new Framer({ expectHandshake: true });
  f.push(handshake.subarray(0, 67));
  assert.equal(f.next(), undefined);
  assert.equal(f.buffered, 67);
  f.push(concat([handshake.subarray(67), encodeMessage({ type: 'choke' })]));
  assert.equal(f.next()?.kind, 'handshake');
  assert.equal(f.buffered, 5);
  assert.deepEqual(f.next(), { kind: 'message', message: { type: 'choke' }, wireLength: 5 });
});

test('a malformed message kills the framer with its reason', () => {
  const f = new Framer({ expectHandshake: false });
  f.push(concat([encodeMessage({ type: 'unchoke' }), Uint8Array.of(0, 0, 0, 2, 4, 0), encodeMessage({ type: 'choke' })]));
  assert.equal(f.next()?.kind, 'message');
  assert.throws(() => f.next(), (e) => e instanceof WireError && e.reason === 'bad-length:have');
  assert.throws(() => f.next(), (e) => e instanceof WireError && e.reason === 'bad-length:have');
  assert.equal(f.buffered, 0);
});

test('unknown ids in a stream are reported', () => {
  const f = new Framer({ expectHandshake: false });
  f.push(Uint8Array.of(0, 0, 0, 1, 99));
  assert.throws(() => f.next(), (e) => e instanceof WireError && e.reason === 'unknown-message-id:99');
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ST_DATA, ST_FIN, ST_RESET, ST_STATE, ST_SYN } from '../../../src/bittorrent/utp/packet.ts';
import { DEFAULT_UTP_LIMITS } from '../../../src/bittorrent/utp/utp-stream.ts';
import { harness } from './mux-harness.ts';

const A = { ip: '198.18.0.13', port: 50_000 };
const tickOver = () => new Promise<void>((r) => setImmediate(r));

test('SYN is answered with STATE; the first packet acknowledging it hands a stream to the seeder', async () => {
  const h = harness();
  h.send(A, { type: ST_SYN, connectionId: 4000, seqNr: 100, ackNr: 0 });
  const synAck = h.out[0]!;
  assert.equal(synAck.p.type, ST_STATE);
  assert.equal(synAck.p.connectionId, 4000, 'the responder sends with the SYN\'s connection id');
  assert.equal(synAck.p.ackNr, 100, 'and acks the SYN\'s seq_nr');
  assert.equal(h.accepted.length, 0, 'half-open: not yet handed to the seeder');
  assert.equal(h.mux.halfOpen, 1);
  const chunks: Buffer[] = [];
  h.send(A, { type: ST_DATA, connectionId: 4001, seqNr: 101, ackNr: (synAck.p.seqNr - 1) & 0xffff, payload: Buffer.from('hello') });
  assert.equal(h.accepted.length, 1);
  assert.equal(h.mux.halfOpen, 0);
  const s = h.accepted[0]!;
  assert.equal(s.transport, 'utp');
  assert.equal(s.remoteAddress, A.ip);
  assert.deepEqual(s.address(), { address: '198.18.0.2', port: 6881, family: 'IPv4' });
  s.on('data', (c: Buffer) => chunks.push(c));
  await tickOver();
  assert.equal(Buffer.concat(chunks).toString(), 'hello');
  const ack = h.out.at(-1)!.p;
  assert.equal(ack.type, ST_STATE);
  assert.equal(ack.ackNr, 101);
});

test('written bytes go out as DATA packets in order, within the window, and acks release them', () => {
  const h = harness();
  const { stream, serverSeq, next } = h.connect(A, 7);
  h.out.length = 0;
  stream.write(Buffer.alloc(10_000, 7));
  const data = h.out.filter((o) => o.p.type === ST_DATA);
  assert.ok(data.length >= 1);
  assert.equal(data[0]!.p.seqNr, serverSeq, 'first DATA carries the seq_nr our STATE announced');
  assert.equal(data[0]!.p.connectionId, 7);
  assert.ok(stream.inFlight <= stream.cwnd, 'no more in flight than the congestion window');
  const last = data.at(-1)!.p.seqNr;
  h.send(A, { type: ST_STATE, connectionId: 8, seqNr: next, ackNr: last });
  assert.equal(stream.inFlight > 0 ? h.out.filter((o) => o.p.type === ST_DATA).length > data.length : true, true, 'the ack reopened the window');
  let total = 0;
  for (const o of h.out) if (o.p.type === ST_DATA) total += o.p.payload.length;
  for (let i = 0; i < 20 && total < 10_000; i++) {
    const top = h.out.filter((o) => o.p.type === ST_DATA).at(-1)!.p.seqNr;
    const before = h.out.length;
    h.send(A, { type: ST_STATE, connectionId: 8, seqNr: next, ackNr: top });
    for (const o of h.out.slice(before)) if (o.p.type === ST_DATA) total += o.p.payload.length;
  }
  assert.equal(total, 10_000, 'every byte sent exactly once');
});

test('SYN flood: half-open connections are capped per IP and globally, expire, and never reach the seeder', () => {
  const h = harness({ maxHalfOpen: 50, maxHalfOpenPerIp: 4, halfOpenTimeoutMs: 5000 });
  for (let i = 0; i < 1000; i++) h.send(A, { type: ST_SYN, connectionId: i * 2, seqNr: i, ackNr: 0 });
  assert.equal(h.mux.halfOpen, 4, 'per-IP cap');
  for (let i = 0; i < 1000; i++) h.send({ ip: `198.18.${1 + (i >> 8)}.${i & 255}`, port: 1000 + i }, { type: ST_SYN, connectionId: 1, seqNr: i, ackNr: 0 });
  assert.equal(h.mux.halfOpen, 50, 'global cap');
  assert.ok(h.mux.stats.refusedSyns >= 1000 + 950 - 46);
  assert.ok(h.out.every((o) => o.p.type === ST_STATE), 'refused SYNs get no reply (no reflection)');
  h.clock.now += 5000;
  h.mux.tick();
  assert.equal(h.mux.halfOpen, 0);
  assert.equal(h.mux.size, 0);
  assert.equal(h.accepted.length, 0);
});

test('a packet that does not acknowledge our random seq_nr does not confirm a half-open connection', () => {
  const h = harness();
  h.send(A, { type: ST_SYN, connectionId: 10, seqNr: 5, ackNr: 0 });
  const seq = h.out[0]!.p.seqNr;
  h.send(A, { type: ST_DATA, connectionId: 11, seqNr: 6, ackNr: (seq + 1000) & 0xffff, payload: Uint8Array.of(1) });
  assert.equal(h.accepted.length, 0, 'a spoofer who never saw our STATE cannot guess its seq_nr');
});

test('forged connection ids reach no connection; RESETs for them are rate limited', () => {
  const h = harness({ resetsPerSecond: 10 });
  const { stream } = h.connect(A, 20);
  let got = 0;
  stream.on('data', (c: Buffer) => { got += c.length; });
  h.out.length = 0;
  for (let id = 0; id < 500; id++) if (id !== 21) h.send(A, { type: ST_DATA, connectionId: id, seqNr: 102, ackNr: 0, payload: Uint8Array.of(1, 2) });
  // Same connection id from another address or port: another key.
  h.send({ ip: A.ip, port: A.port + 1 }, { type: ST_DATA, connectionId: 21, seqNr: 102, ackNr: 0, payload: Uint8Array.of(1) });
  h.send({ ip: '198.18.0.99', port: A.port }, { type: ST_RESET, connectionId: 21, seqNr: 0, ackNr: 0 });
  assert.equal(got, 0);
  assert.equal(stream.destroyed, false, 'a RESET from another address does not close it');
  assert.equal(h.out.filter((o) => o.p.type === ST_RESET).length, 10);
  assert.equal(h.mux.stats.unknownConnection, 501);
});

test('a huge advertised window is clamped to our bounded send window', () => {
  const h = harness();
  const { stream } = h.connect(A, 30, 0xffffffff);
  stream.write(Buffer.alloc(4 << 20));
  assert.ok(stream.inFlight <= DEFAULT_UTP_LIMITS.maxWindow);
  assert.ok(stream.writableNeedDrain, 'backpressure reaches the writer');
});

test('a zero window stops sending; one probe goes out after a pause', () => {
  const h = harness();
  const { stream } = h.connect(A, 40, 0);
  h.out.length = 0;
  stream.write(Buffer.alloc(50_000));
  assert.equal(h.out.filter((o) => o.p.type === ST_DATA).length, 0);
  h.clock.now += 1500;
  h.mux.tick();
  assert.equal(h.out.filter((o) => o.p.type === ST_DATA).length, 1, 'exactly one probe packet');
});

test('out-of-order storm: the reorder buffer is bounded, and filling the hole delivers in order', async () => {
  const h = harness();
  const { stream, serverSeq, next } = h.connect(A, 50);
  const got: number[] = [];
  stream.on('data', (c: Buffer) => got.push(...c));
  const ack = (serverSeq - 1) & 0xffff;
  // Every seq_nr in a 16-bit circle, the expected one left out.
  for (let k = 1; k < 65_536; k += 1) h.send(A, { type: ST_DATA, connectionId: 51, seqNr: (next + k) & 0xffff, ackNr: ack, payload: Uint8Array.of(k & 0xff) });
  assert.ok(stream.reorderHeld <= DEFAULT_UTP_LIMITS.reorderPackets, `held ${stream.reorderHeld}`);
  await tickOver();
  assert.equal(got.length, 1, 'only the confirming byte so far');
  const lastState = h.out.at(-1)!.p;
  assert.equal(lastState.type, ST_STATE);
  assert.ok(lastState.sack && lastState.sack.length > 0, 'the ack carries a selective ack of what is held');
  h.send(A, { type: ST_DATA, connectionId: 51, seqNr: next, ackNr: ack, payload: Uint8Array.of(0) });
  await tickOver();
  assert.deepEqual(got.slice(1, 4), [0, 1, 2]);
  assert.equal(got.length, 2 + DEFAULT_UTP_LIMITS.reorderPackets - 1);
});

test('unacknowledged data is resent after the RTO; a peer that never acks is dropped, and the stream errors', async () => {
  const h = harness();
  const { stream, serverSeq } = h.connect(A, 60);
  let err: NodeJS.ErrnoException | undefined;
  stream.on('error', (e) => { err = e; });
  stream.write(Buffer.alloc(100));
  h.out.length = 0;
  for (let i = 0; i < 200 && !stream.destroyed; i++) { h.clock.now += 1000; h.mux.tick(); }
  const resent = h.out.filter((o) => o.p.type === ST_DATA && o.p.seqNr === serverSeq);
  assert.ok(resent.length >= 3, `resent ${resent.length} times`);
  assert.equal(stream.destroyed, true);
  await tickOver();
  assert.equal(err?.code, 'ETIMEDOUT');
  assert.equal(h.mux.size, 0, 'the multiplexer forgot it');
});

test('selective acks: three packets acked past a hole resend the hole at once', () => {
  const h = harness();
  const { stream, serverSeq, next } = h.connect(A, 70);
  // Open the window first.
  stream.write(Buffer.alloc(5 * 1380));
  h.out.length = 0;
  const hole = serverSeq;
  // ack_nr = hole - 1; bits 0..2 = hole+1..hole+3 received.
  h.send(A, { type: ST_STATE, connectionId: 71, seqNr: next, ackNr: (hole - 1) & 0xffff, sack: Uint8Array.of(0b111, 0, 0, 0) });
  assert.ok(h.out.some((o) => o.p.type === ST_DATA && o.p.seqNr === hole), 'fast retransmit of the hole');
});

test('a FIN from the peer ends the readable side after the data before it', async () => {
  const h = harness();
  const { stream, serverSeq, next } = h.connect(A, 80);
  const ended = new Promise<void>((r) => stream.on('end', () => r()));
  stream.resume();
  h.send(A, { type: ST_FIN, connectionId: 81, seqNr: next + 1, ackNr: (serverSeq - 1) & 0xffff });
  h.send(A, { type: ST_DATA, connectionId: 81, seqNr: next, ackNr: (serverSeq - 1) & 0xffff, payload: Uint8Array.of(9) });
  await ended;
});

test('hostile bytes never throw out of the multiplexer', () => {
  const h = harness();
  h.connect(A, 90);
  for (let i = 0; i < 5000; i++) {
    const d = new Uint8Array(i % 60);
    for (let k = 0; k < d.length; k++) d[k] = (i * 31 + k * 7) & 0xff;
    if (d.length > 0) d[0] = ((i % 5) << 4) | 1;
    h.mux.onDatagram(d, { address: A.ip, port: A.port });
  }
  assert.ok(h.mux.stats.badPackets > 0);
});

test('after a timeout every packet in flight is resent from the oldest as acks reopen the window (go-back, not one per RTO)', () => {
  const h = harness();
  const { stream, serverSeq, next } = h.connect(A, 100);
  stream.write(Buffer.alloc(4 * 1380));
  const first = h.out.filter((o) => o.p.type === ST_DATA).map((o) => o.p.seqNr);
  assert.equal(first.length, 4);
  h.out.length = 0;
  h.clock.now += 1000;
  h.mux.tick();
  const afterTimeout = h.out.filter((o) => o.p.type === ST_DATA).map((o) => o.p.seqNr);
  assert.deepEqual(afterTimeout, [serverSeq], 'the window is back to one packet: the oldest goes first');
  h.out.length = 0;
  h.send(A, { type: ST_STATE, connectionId: 101, seqNr: next, ackNr: serverSeq });
  const resent = h.out.filter((o) => o.p.type === ST_DATA).map((o) => o.p.seqNr);
  assert.deepEqual(resent.slice(0, 2), [(serverSeq + 1) & 0xffff, (serverSeq + 2) & 0xffff], 'the ack clocks out the next lost packets at once, in order');
});

test('a peer that ignores our advertised window cannot grow the unread buffer past it', () => {
  const h = harness();
  const { stream, serverSeq, next } = h.connect(A, 110);
  // Nobody reads (paused): in-order data beyond the receive buffer is dropped, not queued.
  for (let k = 0; k < 200; k++) h.send(A, { type: ST_DATA, connectionId: 111, seqNr: (next + k) & 0xffff, ackNr: (serverSeq - 1) & 0xffff, payload: new Uint8Array(1300) });
  assert.ok(stream.readableLength <= DEFAULT_UTP_LIMITS.recvBuffer, `unread ${stream.readableLength}`);
  assert.ok(stream.readableLength > DEFAULT_UTP_LIMITS.recvBuffer / 2);
  assert.equal(h.out.at(-1)!.p.wndSize <= 1300, true, 'and the advertised window says it is full');
});

test('a stopped multiplexer closes its connections and ignores further datagrams', () => {
  const h = harness();
  const { stream } = h.connect(A, 120);
  h.mux.stop();
  assert.equal(stream.destroyed, true);
  h.out.length = 0;
  h.send(A, { type: ST_SYN, connectionId: 500, seqNr: 1, ackNr: 0 });
  assert.equal(h.out.length, 0);
  assert.equal(h.mux.size, 0);
});

test('a request sent while our data was crossing it (an older ack_nr) is still received', async () => {
  const h = harness();
  const { stream, serverSeq, next } = h.connect(A, 130);
  const got: number[] = [];
  stream.on('data', (c: Buffer) => got.push(...c));
  stream.write(Buffer.alloc(3 * 1380));
  const last = h.out.filter((o) => o.p.type === ST_DATA).at(-1)!.p.seqNr;
  h.send(A, { type: ST_STATE, connectionId: 131, seqNr: next, ackNr: last });
  assert.equal(stream.inFlight, 0);
  // Sent by the peer before it had our data: its ack_nr is older than anything in flight.
  h.send(A, { type: ST_DATA, connectionId: 131, seqNr: next, ackNr: (serverSeq - 1) & 0xffff, payload: Uint8Array.of(42) });
  await tickOver();
  assert.deepEqual(got.slice(-1), [42]);
});

/**
 * Loss recovery without the retransmission timeout (issue 10, N=1 on loopback): a downloader's
 * socket buffer that overflows during a burst loses a run of packets, sometimes the whole tail, and
 * sometimes the resends too. Each of those once waited for the RTO (500 ms or more) while the seeder
 * sat idle. Time is the harness's clock: nothing here gets near the RTO.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seqAdd, ST_DATA, ST_STATE } from '../../../src/bittorrent/utp/packet.ts';
import { MIN_RTO_MS } from '../../../src/bittorrent/utp/send-window.ts';
import { MIN_PROBE_MS, type UtpStream } from '../../../src/bittorrent/utp/utp-stream.ts';
import { harness, type Harness } from './mux-harness.ts';

const A = { ip: '198.18.0.21', port: 51_000 };
const MSS = 1380;

/** Sequence numbers of the DATA packets the seeder sent from h.out[from] on (resends included, in order). */
const dataSent = (h: Harness, from = 0): number[] => h.out.slice(from).filter((o) => o.p.type === ST_DATA).map((o) => o.p.seqNr);

/**
 * A connection with plenty queued, its window grown by acking everything sent `rounds` times, then
 * filled (a flush sends 16 packets at most; the timer's flushes send the rest, at the same instant).
 */
function sending(id: number, rounds: number): { h: Harness; stream: UtpStream; ack: (ackNr: number, sack?: Uint8Array) => void } {
  const h = harness();
  const { stream, next } = h.connect(A, id);
  const ack = (ackNr: number, sack?: Uint8Array) => h.send(A, { type: ST_STATE, connectionId: id + 1, seqNr: next, ackNr, ...(sack ? { sack } : {}) });
  stream.write(Buffer.alloc(180 * MSS, 1));
  for (let i = 0; i < rounds; i++) ack(dataSent(h).at(-1)!);
  for (let i = 0; i < 20; i++) h.mux.tick();
  assert.ok(stream.inFlight + MSS > stream.cwnd, 'the window is full');
  return { h, stream, ack };
}

/** A selective ack bitmask (bit 0 = ack_nr + 2) with the given sequence numbers set, 4 bytes at a time. */
function sackOf(ackNr: number, seqs: number[]): Uint8Array {
  const bits = seqs.map((s) => (s - ackNr - 2) & 0xffff);
  const mask = new Uint8Array(Math.ceil((Math.max(...bits) + 1) / 32) * 4);
  for (const b of bits) mask[b >> 3]! |= 1 << (b & 7);
  return mask;
}

test('a resent packet lost again is resent again once later packets are acked, not after the RTO', () => {
  const { h, stream, ack } = sending(300, 3);
  const flight = dataSent(h).slice(-stream.packetsInFlight);
  assert.ok(flight.length >= 8, `${flight.length} packets in flight`);
  const hole = flight[0]!;
  const before = seqAdd(hole, -1);
  // The three packets after the hole arrive: the hole goes out again.
  let from = h.out.length;
  ack(before, sackOf(before, flight.slice(1, 4)));
  assert.deepEqual(dataSent(h, from).filter((s) => s === hole), [hole], 'the hole resent once');
  // The resend is lost too. Everything else in flight arrives (sent before the resend: no news of
  // it), which opens the window for new packets; then packets sent after the resend arrive.
  from = h.out.length;
  ack(before, sackOf(before, flight.slice(1)));
  const sentAfter = dataSent(h, from);
  assert.ok(sentAfter.length >= 3 && !sentAfter.includes(hole), `${sentAfter.length} new packets sent after the resend`);
  from = h.out.length;
  ack(before, sackOf(before, [...flight.slice(1), ...sentAfter.slice(0, 3)]));
  assert.deepEqual(dataSent(h, from).filter((s) => s === hole), [hole], 'resent a second time at once');
  assert.equal(stream.stats.timeouts, 0);
});

test('a tail lost whole is found by one probe after a few RTTs, and resent without the RTO', () => {
  const { h, stream, ack } = sending(310, 3);
  const flight = dataSent(h).slice(-stream.packetsInFlight);
  assert.ok(flight.length >= 8, `${flight.length} packets in flight`);
  // Nothing in flight arrives. Before the probe's delay nothing is resent ...
  let from = h.out.length;
  h.clock.now += MIN_PROBE_MS - 1;
  h.mux.tick();
  assert.deepEqual(dataSent(h, from), []);
  // ... then the oldest packet goes out once more, as a probe, long before the RTO.
  h.clock.now += 1;
  h.mux.tick();
  assert.deepEqual(dataSent(h, from), [flight[0]], 'one probe: the oldest packet');
  h.clock.now += MIN_PROBE_MS;
  h.mux.tick();
  assert.deepEqual(dataSent(h, from), [flight[0]], 'one probe per silence');
  // The probe arrives: everything sent before it is known lost and goes out again as the window allows.
  from = h.out.length;
  ack(flight[0]!);
  const resent = dataSent(h, from);
  assert.deepEqual(resent.slice(0, 4), flight.slice(1, 5), 'the lost tail resent, oldest first, at once');
  assert.ok(h.clock.now - 1_000_000 < MIN_RTO_MS);
  assert.equal(stream.stats.timeouts, 0);
  assert.equal(stream.stats.probes, 1);
});

test('packets taken as lost go out as the halved window allows, not all at once', () => {
  const { h, stream, ack } = sending(320, 4);
  const flight = dataSent(h).slice(-stream.packetsInFlight);
  assert.ok(flight.length >= 24, `${flight.length} packets in flight`);
  const before = seqAdd(flight[0]!, -1);
  const cwnd = stream.cwnd;
  // Only the last three in flight arrive: every packet before them is lost.
  const from = h.out.length;
  ack(before, sackOf(before, flight.slice(-3)));
  const resent = dataSent(h, from);
  assert.ok(resent.length > 0, 'repair starts at once');
  assert.ok(resent.length * MSS <= cwnd / 2 + MSS, `${resent.length} packets resent into a window of ${stream.cwnd} bytes (it was ${cwnd})`);
  assert.deepEqual(resent, flight.slice(0, resent.length), 'oldest first');
});

test('the short timer ticks connections with data in flight (their probe is not left to the 100 ms tick)', async () => {
  const h = harness({ tickMs: 60_000 });
  h.mux.start();
  try {
    const { stream, next } = h.connect(A, 330);
    stream.write(Buffer.alloc(20 * MSS, 1));
    h.send(A, { type: ST_STATE, connectionId: 331, seqNr: next, ackNr: dataSent(h).at(-1)! });
    const from = h.out.length;
    h.clock.now += MIN_PROBE_MS;
    for (let i = 0; i < 100 && stream.stats.probes === 0; i++) await new Promise((r) => setTimeout(r, 5));
    assert.equal(stream.stats.probes, 1);
    assert.equal(dataSent(h, from).length, 1);
  } finally {
    h.mux.stop();
  }
});

/**
 * The N=8 stall of bench:utp (issue 10), as packets: a libtorrent downloader pipelines one small
 * request packet per block, over 100 in flight. The kernel dropped one of them (our UDP socket's
 * receive buffer overflowed); we then dropped every later packet past the 64th out of order,
 * although our advertised window had room for all of them. Each of those drops cost the downloader
 * a retransmission, and libtorrent closes a uTP connection when one packet has been sent three
 * times unacknowledged (utp_num_resends), then waits 60 s before it reconnects.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seqDiff, ST_DATA, ST_STATE, type UtpPacket } from '../../../src/bittorrent/utp/packet.ts';
import { harness } from './mux-harness.ts';

const PEER = { ip: '198.18.0.5', port: 33_199 };
/** What the bench's downloader had in flight when the stall began (seq 61245..61361 in the trace). */
const PIPELINE = 116;
/** A BEP 3 request: <len=0013><id=6><index><begin><length>, as libtorrent sends one per packet. */
function request(i: number): Uint8Array {
  const b = Buffer.alloc(17);
  b.writeUInt32BE(13, 0); b[4] = 6; b.writeUInt32BE(i, 5); b.writeUInt32BE(0, 9); b.writeUInt32BE(16_384, 13);
  return b;
}

/** True when our ack says the peer's packet q arrived: at or before ack_nr, or named by the selective ack (bit 0 = ack_nr + 2). */
function acks(p: UtpPacket, q: number): boolean {
  if (seqDiff(q, p.ackNr) <= 0) return true;
  const bit = seqDiff(q, p.ackNr) - 2;
  return p.sack !== null && bit >= 0 && bit < p.sack.length * 8 && (p.sack[bit >> 3]! & (1 << (bit & 7))) !== 0;
}

test('one lost request packet in a pipeline of 116 costs the downloader one retransmission, not 53', async () => {
  const h = harness();
  const { stream, serverSeq, next } = h.connect(PEER, 0xc387);
  const got: Buffer[] = [];
  stream.on('data', (c: Buffer) => got.push(c));
  const ack = (serverSeq - 1) & 0xffff;
  // The first packet of the pipeline is lost on the way; the other 115 arrive.
  for (let i = 1; i < PIPELINE; i++) h.send(PEER, { type: ST_DATA, connectionId: 0xc388, seqNr: (next + i) & 0xffff, ackNr: ack, payload: request(i) });
  const before = h.out.filter((o) => o.p.type === ST_STATE).at(-1)!.p;
  assert.equal(before.ackNr, (next - 1) & 0xffff, 'the hole holds the cumulative ack');
  const unacked = Array.from({ length: PIPELINE }, (_, i) => (next + i) & 0xffff).filter((q) => !acks(before, q));
  // Every packet the downloader must send again is one more transmission towards libtorrent's limit of 3.
  assert.deepEqual(unacked, [next & 0xffff], 'only the lost packet is left for the downloader to resend');
  assert.ok(before.wndSize > 0, 'and our window still has room');
  // Its retransmission fills the hole: everything is delivered, in order, and acknowledged at once.
  h.send(PEER, { type: ST_DATA, connectionId: 0xc388, seqNr: next, ackNr: ack, payload: request(0) });
  const after = h.out.at(-1)!.p;
  assert.equal(after.type, ST_STATE);
  assert.equal(after.ackNr, (next + PIPELINE - 1) & 0xffff);
  await new Promise<void>((r) => setImmediate(r));
  const bytes = Buffer.concat(got);
  // The confirming byte of connect(), then the 116 requests in order.
  assert.equal(bytes.length, 1 + PIPELINE * 17);
  for (let i = 0; i < PIPELINE; i++) assert.equal(bytes.readUInt32BE(1 + i * 17 + 5), i, `request ${i} in order`);
});

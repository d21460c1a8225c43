/** DATA packet buffers are reused once acked (packet-pool.ts): what goes out must still be the bytes written, in order. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodePacket, encodePacket, ST_DATA, ST_STATE, ST_SYN } from '../../../src/bittorrent/utp/packet.ts';
import { PacketPool } from '../../../src/bittorrent/utp/packet-pool.ts';
import { SendWindow } from '../../../src/bittorrent/utp/send-window.ts';
import { DEFAULT_MUX, UtpMultiplexer } from '../../../src/bittorrent/utp/multiplexer.ts';
import type { UtpStream } from '../../../src/bittorrent/utp/utp-stream.ts';

test('a packet goes back to the pool only when acked after a single transmission', () => {
  const given: Buffer[] = [];
  const w = new SendWindow((b) => given.push(b));
  const a = Buffer.alloc(30), b = Buffer.alloc(30);
  w.push(1, ST_DATA, a, 10, 0);
  const ob = w.push(2, ST_DATA, b, 10, 0);
  w.resent(ob, 5); // b is sent twice: its first copy may be acked while the second is still queued
  w.ack(2, null, 10);
  assert.deepEqual(given, [a]);
  const pool = new PacketPool(30, 1);
  pool.give(a); pool.give(b);
  assert.equal(pool.free, 1, 'bounded');
  assert.equal(pool.take(), a);
  pool.give(Buffer.alloc(29));
  assert.equal(pool.free, 0, 'only full-size buffers are kept');
});

test('with buffers reused, every byte written goes out once, in order, resends included', () => {
  const from = { address: '198.18.0.7', port: 4000 };
  const wire: { seq: number; payload: Buffer }[] = [];
  let synAck = -1;
  let stream: UtpStream | undefined;
  let clock = 0;
  let resent = 0;
  const mux = new UtpMultiplexer({ ...DEFAULT_MUX, localIp: '198.18.0.1', localPort: 6881 }, {
    // Copied at send time, as the kernel copies: the buffer may be reused afterwards.
    send: (d) => { const p = decodePacket(d); if (p.type === ST_STATE && synAck < 0) synAck = p.seqNr; if (p.type === ST_DATA) wire.push({ seq: p.seqNr, payload: Buffer.from(p.payload) }); },
    onAccept: (s) => { stream = s; },
    nowMs: () => clock,
  });
  const send = (type: number, seqNr: number, ackNr: number, payload?: Uint8Array) => mux.onDatagram(encodePacket({ type: type as 0, connectionId: type === ST_SYN ? 900 : 901, timestampUs: 0, timestampDiffUs: 0, wndSize: 1 << 20, seqNr, ackNr, payload }), from);
  send(ST_SYN, 10, 0);
  send(ST_DATA, 11, (synAck - 1) & 0xffff, Uint8Array.of(1));
  assert.ok(stream);
  const data = Buffer.alloc(300_000);
  for (let i = 0; i < data.length; i++) data[i] = (i * 7 + (i >> 11)) & 0xff;
  stream.write(data);
  const got = new Map<number, Buffer>();
  for (let round = 0; round < 2000 && [...got.values()].reduce((n, b) => n + b.length, 0) < data.length; round++) {
    const batch = wire.splice(0);
    if (batch.length === 0) break;
    for (const { seq, payload } of batch) {
      const seen = got.get(seq);
      if (seen) { resent++; assert.deepEqual(payload, seen, `resent packet ${seq} carries the same bytes`); }
      got.set(seq, payload);
    }
    // Every 5th round the acks are lost: the retransmission timer resends from the kept buffers.
    clock += 10;
    if (round % 5 === 4) { clock += 5_000; mux.tick(); continue; }
    send(ST_STATE, 12, batch.at(-1)!.seq);
  }
  const first = synAck;
  const ordered = [...got.entries()].sort((x, y) => ((x[0] - first) & 0xffff) - ((y[0] - first) & 0xffff)).map(([, b]) => b);
  assert.ok(Buffer.concat(ordered).equals(data), 'the bytes on the wire are the bytes written');
  assert.ok(resent > 10, `resends happened (${resent})`);
  mux.stop();
});

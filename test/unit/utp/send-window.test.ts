/** SendWindow keeps packets from a moving head (send-window.ts): long runs across seq_nr wrap and queue compaction stay exact. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seqAdd, ST_DATA } from '../../../src/bittorrent/utp/packet.ts';
import { SendWindow } from '../../../src/bittorrent/utp/send-window.ts';

test('a window that never drains stays exact over 70,000 packets: count, bytes, oldest, releases', () => {
  const released: number[] = [];
  const w = new SendWindow((b) => released.push(b[0]!));
  const start = 0xff00; // wraps past 0xffff early
  let next = start;
  let acked = seqAdd(start, -1);
  let now = 0;
  for (let i = 0; i < 70_000; i++) {
    const b = Buffer.alloc(4);
    b[0] = i & 0xff;
    w.push(next, ST_DATA, b, 100, now++);
    next = seqAdd(next, 1);
    // keep ~600 packets in flight: ack 3 at a time once past that
    if (w.count > 600) {
      acked = seqAdd(acked, 3);
      const r = w.ack(acked, null, now);
      assert.equal(r.bytesAcked, 300);
      assert.equal(w.oldest()!.seq, seqAdd(acked, 1));
    }
    assert.equal(w.bytes, w.count * 100);
  }
  assert.equal(released.length, 70_000 - w.count);
  assert.equal(released[released.length - 1], (released.length - 1) & 0xff, 'released oldest first, in order');
  assert.ok(w.plausibleAck(acked, next, 0));
  assert.ok(!w.plausibleAck(seqAdd(acked, -1), next, 0), 'older than the oldest in flight');
  // a timeout after many compactions still marks every packet in flight as lost, oldest first
  const count = w.count;
  w.timeout();
  assert.equal(w.bytes, 0);
  assert.equal(w.nextLost()!.seq, seqAdd(acked, 1));
  assert.equal(w.timed(), undefined);
  w.resent(w.nextLost()!, now);
  assert.equal(w.bytes, 100);
  assert.equal(w.nextLost()!.seq, seqAdd(acked, 2));
  const r = w.ack(seqAdd(next, -1), null, now);
  assert.equal(r.bytesAcked, count * 100 - 0, 'everything acked at once, the lost ones included');
  assert.equal(w.count, 0);
  assert.equal(w.nextLost(), undefined);
  assert.equal(w.oldest(), undefined);
});

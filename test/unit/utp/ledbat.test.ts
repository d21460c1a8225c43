import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Ledbat, TARGET_DELAY_US } from '../../../src/bittorrent/utp/ledbat.ts';

const MSS = 1380;

function grown(queueingUs: number): number {
  const cc = new Ledbat({ mss: MSS, maxWindow: 1 << 20, initialWindow: 100_000 });
  cc.onLoss(); // leave slow start: LEDBAT proper
  const start = cc.window;
  let now = 0;
  cc.sample(5_000_000, now); // base delay: the clocks' offset plus the path
  for (let i = 0; i < 200; i++) {
    now += 1000;
    cc.sample(5_000_000 + queueingUs, now);
    cc.onAck(MSS, cc.window);
  }
  return cc.window - start;
}

test('LEDBAT grows the window below the 100 ms target and shrinks it above', () => {
  assert.ok(grown(0) > 0, 'no queueing delay: grow');
  assert.ok(grown(TARGET_DELAY_US / 2) > 0, 'half the target: still grow');
  assert.ok(grown(TARGET_DELAY_US / 2) < grown(0), 'but more slowly');
  assert.ok(grown(2 * TARGET_DELAY_US) < 0, 'twice the target: shrink');
});

test('the base delay is a minimum modulo 2^32: a clock offset that wraps does not read as queueing', () => {
  const cc = new Ledbat({ mss: MSS, maxWindow: 1 << 20 });
  cc.sample(0xffffff00, 0);
  // 0x110 µs later than the base, across the wrap (three samples: the current delay is their minimum).
  for (let i = 1; i <= 3; i++) cc.sample(0x00000010, i * 1000);
  assert.equal(cc.queueingDelayUs, 0x110);
});

test('a loss halves the window; a timeout drops it to one packet; it never exceeds the bound', () => {
  const cc = new Ledbat({ mss: MSS, maxWindow: 64 * MSS, initialWindow: 32 * MSS });
  cc.onLoss();
  assert.equal(cc.window, 16 * MSS);
  cc.onTimeout();
  assert.equal(cc.window, MSS);
  for (let i = 0; i < 10_000; i++) cc.onAck(MSS, cc.window);
  assert.ok(cc.window <= 64 * MSS);
});

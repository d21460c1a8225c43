import assert from 'node:assert/strict';
import { it } from 'node:test';
import { SlotHeap } from '../../../src/bittorrent/dht/slot-heap.ts';

it('pops slots in due order, removes from the middle, and refuses a slot twice', () => {
  const due = new Float64Array(200);
  const heap = new SlotHeap(() => due);
  heap.reserve(100);
  let x = 7;
  for (let s = 0; s < 100; s++) { x = (x * 48271) % 2147483647; due[s] = (x % 1000) - 500; heap.push(s); }
  assert.throws(() => heap.push(3), /already/);
  for (let s = 0; s < 100; s += 4) heap.remove(s);
  heap.remove(0);
  assert.equal(heap.size, 75);
  heap.reserve(200);
  due[150] = -10_000;
  heap.push(150);
  assert.equal(heap.peek(), 150);
  const order: number[] = [];
  for (let s = heap.pop(); s >= 0; s = heap.pop()) order.push(s);
  assert.equal(order.length, 76);
  assert.equal(new Set(order).size, 76);
  assert.ok(order.every((s) => s === 150 || s % 4 !== 0), 'removed slots never come out');
  for (let i = 1; i < order.length; i++) assert.ok(due[order[i - 1]!]! <= due[order[i]!]!, `out of order at ${i}`);
  assert.equal(heap.has(5), false);
});

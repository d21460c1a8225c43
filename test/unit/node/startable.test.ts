import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startInOrder, type Startable } from '../../../src/network/startable.ts';

function part(name: string, events: string[], o: { fail?: boolean; failStop?: boolean; onStart?: () => void } = {}): Startable {
  return {
    name,
    async start() { events.push(`start ${name}`); o.onStart?.(); if (o.fail) throw new Error(`${name} cannot bind`); },
    async stop() { events.push(`stop ${name}`); if (o.failStop) throw new Error(`${name} stuck`); },
  };
}

test('startInOrder starts in order and stops in reverse, once', async () => {
  const events: string[] = [];
  const started = await startInOrder([part('a', events), part('b', events), part('c', events)], new AbortController().signal, () => {});
  await Promise.all([started.stop(), started.stop()]);
  assert.deepEqual(events, ['start a', 'start b', 'start c', 'stop c', 'stop b', 'stop a']);
});

test('stop() stops every part even when one fails to, then rejects with that failure', async () => {
  const events: string[] = [];
  const logs: string[] = [];
  const started = await startInOrder([part('a', events), part('b', events, { failStop: true }), part('c', events)], new AbortController().signal, (m) => logs.push(m));
  await assert.rejects(started.stop(), /b stuck/);
  assert.deepEqual(events, ['start a', 'start b', 'start c', 'stop c', 'stop b', 'stop a']);
  assert.ok(logs.some((l) => /b: stop failed/.test(l)));
});

test('a part that fails to start: it and every part before it are stopped, last first, and the error is thrown', async () => {
  const events: string[] = [];
  const logs: string[] = [];
  await assert.rejects(startInOrder([part('a', events), part('b', events, { failStop: true }), part('c', events, { fail: true }), part('d', events)],
    new AbortController().signal, (m) => logs.push(m)), /c cannot bind/);
  assert.deepEqual(events, ['start a', 'start b', 'start c', 'stop c', 'stop b', 'stop a'], 'd never starts; b failing to stop does not keep a running');
  assert.ok(logs.some((l) => /c: start failed/.test(l)));
  assert.ok(logs.some((l) => /b: stop failed: b stuck/.test(l)));
});

test('an abort during start-up stops what started and rejects with the reason', async () => {
  const events: string[] = [];
  const ac = new AbortController();
  const reason = new Error('shutting down');
  await assert.rejects(startInOrder([part('a', events), part('b', events, { onStart: () => ac.abort(reason) }), part('c', events)], ac.signal, () => {}),
    (e) => e === reason);
  assert.deepEqual(events, ['start a', 'start b', 'stop b', 'stop a']);
  const pre = new AbortController();
  pre.abort();
  const none: string[] = [];
  await assert.rejects(startInOrder([part('a', none)], pre.signal, () => {}), { name: 'AbortError' });
  assert.deepEqual(none, []);
});

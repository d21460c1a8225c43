/**
 * A stand-in for src/store/postgres/sync-worker.ts that answers without PostgreSQL, and out of turn on
 * request (test/unit/store/postgres/sync-connection.test.ts). Each query's answer is its first
 * parameter: `{ answer: params[0] }`, so a caller can tell whose reply it got. The SQL text picks
 * the misbehaviour:
 * - 'STALE NOTIFY': replies at once, then wakes the main thread a second time 50 ms later, as the
 *   real worker's Atomics.notify does when the thread is descheduled between its store and its notify
 *   and the main thread has taken the reply meanwhile (it found the signal set without waiting).
 * - 'SLOW': replies after 200 ms (the requests after it wait their turn, as the real worker's do).
 * - 'TWICE': posts two replies for one request.
 * It speaks both the old protocol (a 0/1 flag, no ids) and the new one (a count of replies, the
 * request's id in its reply), so the test shows the old code's wrong answer.
 */
import { type MessagePort, workerData } from 'node:worker_threads';

const { port, signal } = workerData as { port: MessagePort; signal: Int32Array };
type Req = { id?: number; sql?: string; params?: unknown[]; close?: true } | 'close';

function post(m: object, notify = true): void {
  port.postMessage(m);
  Atomics.add(signal, 0, 1);
  if (notify) Atomics.notify(signal, 0);
}

let turn: Promise<unknown> = Promise.resolve();
port.on('message', (req: Req) => {
  turn = turn.then(async () => {
    if (req === 'close' || req.close) { post({ closed: true, ...(req !== 'close' ? { id: req.id } : {}) }); port.close(); return; }
    const answer = { id: req.id, rows: [{ answer: req.params?.[0] }], rowCount: 1, command: 'SELECT' };
    if (req.sql === 'SLOW') await new Promise((r) => setTimeout(r, 200));
    post(answer);
    if (req.sql === 'STALE NOTIFY') setTimeout(() => Atomics.notify(signal, 0), 50);
    if (req.sql === 'TWICE') post({ ...answer, rows: [{ answer: `${String(req.params?.[0])} again` }] });
  });
});

import { HASH_LEN, type Frontier } from '../merkle.ts';

/**
 * Where the chain worker leaves a batch's result: shared memory, because the main thread waits for
 * it in Atomics.wait and cannot receive messages meanwhile (errors come back the same way).
 * Layout: Int32 control words | frontier roots (64 x 32 bytes) | error text | hashes (32 per row).
 * The worker writes the outcome, then the job number; the main thread waits for the job number, so a
 * late answer to an abandoned job is never taken for the current one.
 */
const STATE = 0;
const JOB = 1;
const ROOTS = 2;
const ERROR_LEN = 3;
const DONE = 1;
const FAILED = 2;

/** A frontier holds one root per set bit of its size, and sizes stay below 2^53. */
const MAX_ROOTS = 64;
const ROOTS_AT = 16;
const ERROR_AT = ROOTS_AT + MAX_ROOTS * HASH_LEN;
const ERROR_MAX = 1024;
const HASHES_AT = ERROR_AT + ERROR_MAX;

export type Outcome = { readonly ok: true; readonly hashes: Buffer; readonly roots: Buffer[] } | { readonly ok: false; readonly error: string };

export const sharedBytesFor = (rows: number): number => HASHES_AT + HASH_LEN * rows;
export const rowsIn = (sab: SharedArrayBuffer): number => Math.floor((sab.byteLength - HASHES_AT) / HASH_LEN);

const control = (sab: SharedArrayBuffer) => new Int32Array(sab, 0, 4);

/** The worker's view of where the hashes of `rows` rows go. */
export const hashesArea = (sab: SharedArrayBuffer, rows: number): Buffer => Buffer.from(sab, HASHES_AT, HASH_LEN * rows);

/** Worker side: the hashes are in hashesArea; publishes the frontier and wakes the waiter. */
export function publishDone(sab: SharedArrayBuffer, job: number, f: Frontier): void {
  if (f.roots.length > MAX_ROOTS) throw new RangeError(`frontier of ${f.roots.length} roots`);
  const bytes = Buffer.from(sab);
  f.roots.forEach((r, i) => bytes.set(r, ROOTS_AT + i * HASH_LEN));
  const c = control(sab);
  Atomics.store(c, ROOTS, f.roots.length);
  publish(c, DONE, job);
}

/** Worker side: the batch failed; `message` is cut to ERROR_MAX bytes. */
export function publishFailed(sab: SharedArrayBuffer, job: number, message: string): void {
  const c = control(sab);
  Atomics.store(c, ERROR_LEN, Buffer.from(sab, ERROR_AT, ERROR_MAX).write(message, 'utf8'));
  publish(c, FAILED, job);
}

function publish(c: Int32Array, state: number, job: number): void {
  Atomics.store(c, STATE, state);
  Atomics.store(c, JOB, job);
  Atomics.notify(c, JOB);
}

/** Main side: blocks until `job` is answered or `timeoutMs` passes (undefined); copies the answer out. */
export function awaitOutcome(sab: SharedArrayBuffer, job: number, rows: number, timeoutMs: number): Outcome | undefined {
  const c = control(sab);
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const seen = Atomics.load(c, JOB);
    if (seen === job) break;
    const left = deadline - performance.now();
    if (left <= 0) return undefined;
    Atomics.wait(c, JOB, seen, left);
  }
  const bytes = Buffer.from(sab);
  if (Atomics.load(c, STATE) === FAILED) return { ok: false, error: bytes.toString('utf8', ERROR_AT, ERROR_AT + Atomics.load(c, ERROR_LEN)) };
  const roots: Buffer[] = [];
  for (let i = 0; i < Atomics.load(c, ROOTS); i++) roots.push(Buffer.from(bytes.subarray(ROOTS_AT + i * HASH_LEN, ROOTS_AT + (i + 1) * HASH_LEN)));
  return { ok: true, hashes: Buffer.from(bytes.subarray(HASHES_AT, HASHES_AT + HASH_LEN * rows)), roots };
}

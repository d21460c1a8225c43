import { Worker } from 'node:worker_threads';
import type { Settings } from '../config/settings.ts';
import type { Observation } from '../domain/observation.ts';
import { EvidenceError } from '../evidence/errors.ts';
import type { WriteOutcome } from './batch-writer.ts';
import type { EvidenceWriter } from './evidence-writer.ts';

/** Messages to the writer thread: a batch in chunks (the last one carries the counters), then stop. */
export type ToWriter =
  | { readonly type: 'chunk'; readonly observations: readonly Observation[]; readonly last: false }
  | { readonly type: 'chunk'; readonly observations: readonly Observation[]; readonly last: true; readonly counters: Readonly<Record<string, number>> }
  | { readonly type: 'stop' };
export type FromWriter =
  | { readonly type: 'ready'; readonly fingerprint: string | undefined }
  | { readonly type: 'failed'; readonly message: string }
  | { readonly type: 'outcome'; readonly outcome: WriteOutcome }
  | { readonly type: 'log'; readonly message: string }
  | { readonly type: 'stopped' };

/**
 * Observations per postMessage. Posting copies them (structured clone) on the posting thread, about
 * 8 us a delivery on this machine under load: 5,000 at once held the event loop ~40 ms, 500 hold it ~4 ms.
 * Target: event-loop delay p99 < 20 ms while 5,000-record batches are ingested (bench/event-loop.bench.ts).
 */
export const CHUNK = 500;
/** How long stop() waits for the final checkpoint before it ends the thread. */
const STOP_TIMEOUT_MS = 15_000;

/**
 * The evidence writer on a thread of its own (writer-thread.ts), so that the thread serving peers never
 * waits for a transaction, a hash or an fsync: it posts a batch, in chunks, and awaits the outcome.
 * The thread opens its own connection to the database file (SQLite WAL: readers on the main
 * connection are never blocked by it). If the thread dies, every write from then on is held with
 * that fault, so the recorder keeps, counts and reports what could not be written.
 */
export class ThreadWriter implements EvidenceWriter {
  readonly #worker: Worker;
  readonly #log: (m: string) => void;
  #fingerprint: string | undefined;
  #waiting: ((m: FromWriter) => void) | undefined;
  #dead: string | undefined;
  #stopped: Promise<void> | undefined;

  private constructor(worker: Worker, log: (m: string) => void) {
    this.#worker = worker;
    this.#log = log;
    worker.on('message', (m: FromWriter) => {
      if (m.type === 'log') return this.#log(m.message);
      const w = this.#waiting;
      this.#waiting = undefined;
      w?.(m);
    });
    worker.on('error', (e) => this.#die(`the evidence writer thread failed: ${e.message}`));
    worker.on('exit', (code) => this.#die(`the evidence writer thread exited (code ${code})`));
  }

  /** Starts the thread on the database at `dbPath`; resolves once it has opened the store and the evidence log. */
  static async start(c: { dbPath: string; settings: Settings; log: (m: string) => void }): Promise<ThreadWriter> {
    // A worker inherits the process's flags, but --input-type (node -e) would stop one started from a file.
    const execArgv = process.execArgv.some((a) => a.startsWith('--input-type')) ? process.execArgv.filter((a) => !a.startsWith('--input-type')) : undefined;
    const worker = new Worker(new URL('./writer-thread.ts', import.meta.url), {
      name: 'counterseed-evidence-writer', workerData: { dbPath: c.dbPath, settings: c.settings }, ...(execArgv && { execArgv }),
    });
    const w = new ThreadWriter(worker, c.log);
    const first = await w.#held(w.#next());
    if (first.type !== 'ready') {
      await worker.terminate();
      throw new EvidenceError(`the evidence writer could not open ${c.dbPath}: ${first.type === 'failed' ? first.message : w.#dead}`);
    }
    w.#fingerprint = first.fingerprint;
    // The thread alone never keeps the process alive (a node whose start failed after it must still
    // exit); it does while a start, a write or the stop is in flight (#held).
    worker.unref();
    return w;
  }

  get fingerprint(): string | undefined { return this.#fingerprint; }

  write(batch: readonly Observation[], counters: Readonly<Record<string, number>>): Promise<WriteOutcome> {
    if (this.#waiting) return Promise.reject(new EvidenceError('one evidence write at a time'));
    const answer = this.#next();
    const kinds: Record<string, number> = {};
    for (const o of batch) kinds[o.kind] = (kinds[o.kind] ?? 0) + 1;
    // Not an async function: once the last chunk is posted nothing here refers to the batch, so its
    // observations die young on this thread (kept until the outcome, they were promoted, and the
    // scavenges copying them paused the event loop).
    return this.#held(this.#post(batch, counters).then(() => answer)).then((m) => {
      if (m.type === 'outcome') return m.outcome;
      // The thread is gone with the batch: its observations are reported lost, by kind.
      return { written: 0, quarantined: 0, countersWritten: false, fault: { message: this.#dead ?? `unexpected answer from the evidence writer: ${m.type}`, held: [], lost: kinds } };
    });
  }

  async #post(batch: readonly Observation[], counters: Readonly<Record<string, number>>): Promise<void> {
    for (let i = 0; i === 0 || i < batch.length; i += CHUNK) {
      if (this.#dead) return;
      // Between chunks the event loop runs: peers are served while a big batch is handed over.
      if (i > 0) await new Promise<void>((r) => setImmediate(r));
      const observations = batch.slice(i, i + CHUNK);
      this.#worker.postMessage(i + CHUNK >= batch.length ? { type: 'chunk', observations, last: true, counters } satisfies ToWriter : { type: 'chunk', observations, last: false } satisfies ToWriter);
    }
  }

  stop(): Promise<void> {
    this.#stopped ??= (async () => {
      if (this.#dead) return;
      const done = this.#next();
      this.#worker.postMessage({ type: 'stop' } satisfies ToWriter);
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((r) => { timer = setTimeout(() => r('late'), STOP_TIMEOUT_MS); });
      const m = await this.#held(Promise.race([done, late]));
      clearTimeout(timer);
      if (m === 'late') this.#log(`evidence writer: no shutdown checkpoint within ${STOP_TIMEOUT_MS} ms; ending the thread`);
      await this.#worker.terminate();
    })();
    return this.#stopped;
  }

  /** Keeps the process alive while `p` is pending: it waits for the thread. */
  #held<T>(p: Promise<T>): Promise<T> {
    this.#worker.ref();
    return p.finally(() => { if (!this.#waiting) this.#worker.unref(); });
  }

  #next(): Promise<FromWriter> {
    return new Promise((resolve) => {
      if (this.#dead) return resolve({ type: 'failed', message: this.#dead });
      this.#waiting = resolve;
    });
  }

  #die(reason: string): void {
    if (this.#dead) return;
    this.#dead = reason;
    const w = this.#waiting;
    this.#waiting = undefined;
    w?.({ type: 'failed', message: reason });
  }
}

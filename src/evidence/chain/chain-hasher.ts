import { Worker } from 'node:worker_threads';
import { EvidenceError } from '../errors.ts';
import { frontierToBytes } from '../merkle.ts';
import { chainInline, checkBatch, type ChainBatch, type ChainResult } from './chain-inline.ts';
import type { ChainJob } from './chain-worker.ts';
import { awaitOutcome, rowsIn, sharedBytesFor } from './shared-result.ts';
import { TapeWriter } from './value-tape.ts';

export { chainInline, MAX_BATCH_ROWS, type ChainBatch, type ChainResult, type ChainRow } from './chain-inline.ts';

/**
 * The worker's heap, bounded for the node's memory budget: its string values are promoted while a
 * batch is chained, and unbounded it grew ~25 MB more (5,000-row batches: +40 MB of RSS, not +65;
 * about 0.5 µs a row slower, still well ahead of the inserts).
 */
const WORKER_HEAP = { maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 8 };
/** Bigger batches are chained inline: within WORKER_HEAP, the worker could run out of memory on them. */
export const WORKER_MAX_ROWS = 20_000;

export interface ChainHasherInit {
  /** Batches of at least this many rows go to the worker (default 1024): below, posting costs more than it saves. */
  readonly workerThreshold?: number;
  /** How long wait() waits for the worker before it gives up on it (default 30,000 ms). */
  readonly timeoutMs?: number;
  /** Told once when the worker fails (died, timed out, or answered wrongly) and chaining goes inline for good. */
  readonly onWorkerFailure?: (err: EvidenceError) => void;
  /**
   * The worker (about 20 MB of RSS, most of it a Node thread's own) is stopped after this long without
   * a batch for it (default 60,000 ms), and started again by the next one.
   */
  readonly idleMs?: number;
  /** The worker's module (tests substitute a failing one). */
  readonly workerUrl?: URL;
}

/** A batch being hashed. Call wait() (or abandon()) before the next begin(). */
export interface PendingChain {
  /**
   * Blocks until the hashes are there. If the worker fails or times out, computes the batch in this
   * thread instead (no batch is lost) and stays inline from then on. Throws CanonicalEncodingError
   * when a record cannot hold one of the batch's values (then the worker is kept).
   */
  wait(): ChainResult;
  /** Drops the batch (its transaction failed): the next begin() may start at once. */
  abandon(): void;
}

/**
 * Computes the chain hashes of a batch in a worker thread while the caller inserts the batch's rows
 * (issue 5): begin() packs the rows (value-tape.ts), posts them and returns; wait() blocks in
 * Atomics.wait for the answer, which is byte-identical to chainInline's (both run chainInto). The
 * worker is started on the first batch that reaches the threshold and stopped when idle, so a node
 * that sees no big batches does not pay for its memory; it is unref()ed, so it never keeps the
 * process alive.
 */
export class ChainHasher {
  readonly #threshold: number;
  readonly #timeoutMs: number;
  readonly #onWorkerFailure: ((err: EvidenceError) => void) | undefined;
  readonly #workerUrl: URL;
  readonly #idleMs: number;
  #idle: NodeJS.Timeout | undefined;
  #worker: Worker | undefined;
  /** Resolves true once #worker has loaded its modules (it says so), false if it failed first. */
  #ready: Promise<boolean> | undefined;
  #isReady = false;
  #sab: SharedArrayBuffer | undefined;
  /** Packs the worker's input into shared memory, kept between batches. */
  #tape: TapeWriter | undefined;
  #job = 0;
  #busy = false;
  #failure: EvidenceError | undefined;
  #closed = false;

  constructor(init: ChainHasherInit = {}) {
    this.#threshold = init.workerThreshold ?? 1024;
    this.#timeoutMs = init.timeoutMs ?? 30_000;
    this.#onWorkerFailure = init.onWorkerFailure;
    this.#workerUrl = init.workerUrl ?? new URL('./chain-worker.ts', import.meta.url);
    this.#idleMs = init.idleMs ?? 60_000;
  }

  /** Why the worker was given up (undefined while it is fine or was never needed). */
  get workerFailure(): EvidenceError | undefined { return this.#failure; }
  /** Whether a worker thread is running. */
  get workerRunning(): boolean { return this.#worker !== undefined; }

  /**
   * Starts the worker if need be; resolves true once it can take batches, false if it failed to start.
   * Optional: begin() starts it too, and chains inline until it is ready, so no batch waits for it.
   */
  warmUp(): Promise<boolean> {
    if (this.#failure || this.#closed || !this.#ensureWorker()) return Promise.resolve(false);
    return this.#ready!;
  }

  /**
   * Starts hashing `b`: in the worker when it has workerThreshold to WORKER_MAX_ROWS rows and the worker is
   * ready (the rows are packed for it, posted, and the call returns), else here and now. A batch that
   * does not follow on throws EvidenceError here; one whose records cannot hold a value throws
   * CanonicalEncodingError here or from wait().
   */
  begin(b: ChainBatch): PendingChain {
    if (this.#busy) throw new EvidenceError('a chain batch is already in flight: wait() for it (or abandon() it) first');
    checkBatch(b, b.rows.length);
    const forWorker = b.rows.length >= this.#threshold && b.rows.length <= WORKER_MAX_ROWS && !this.#failure && !this.#closed;
    const worker = forWorker ? this.#ensureWorker() : undefined;
    const rows = worker && this.#isReady ? (this.#tape ??= new TapeWriter()).write(b.rows) : undefined;
    if (!worker || !rows) {
      const result = chainInline(b);
      return this.#pending(() => result);
    }
    const job = ++this.#job;
    const sab = this.#room(b.rows.length);
    const msg: ChainJob = { job, sab, node: b.node, seq: b.seq, prev: b.prev, frontier: frontierToBytes(b.frontier), rows };
    worker.postMessage(msg);
    (this.#idle ??= setTimeout(() => this.#stopIdle(), this.#idleMs).unref()).refresh();
    return this.#pending(() => this.#answer(b, sab, job, worker));
  }

  /** Terminates the worker if one was started; later batches are computed inline. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#idle);
    const w = this.#worker;
    this.#worker = undefined;
    this.#sab = undefined;
    this.#tape = undefined;
    if (w) await w.terminate();
  }

  #pending(compute: () => ChainResult): PendingChain {
    this.#busy = true;
    let settled = false;
    const settle = () => {
      if (settled) throw new EvidenceError('this chain batch was already waited for or abandoned');
      settled = true;
      this.#busy = false;
    };
    return {
      wait: () => { settle(); return compute(); },
      abandon: () => settle(),
    };
  }

  #answer(b: ChainBatch, sab: SharedArrayBuffer, job: number, worker: Worker): ChainResult {
    // A worker given up since begin() (it crashed meanwhile, or close()) will not answer.
    if (this.#worker !== worker) return chainInline(b);
    const out = awaitOutcome(sab, job, b.rows.length, this.#timeoutMs);
    if (out?.ok) return { hashes: out.hashes, frontier: { size: b.seq + b.rows.length, roots: out.roots } };
    // The worker gave up on the batch or never answered: this thread computes it. If it fails here
    // too, the rows are at fault, not the worker; if it succeeds, the worker is given up.
    const result = chainInline(b);
    this.#giveUp(out ? `the chain worker failed on a batch this thread could chain: ${out.error}` : `the chain worker did not answer within ${this.#timeoutMs} ms`);
    return result;
  }

  #ensureWorker(): Worker | undefined {
    if (this.#worker) return this.#worker;
    try {
      return this.#startWorker();
    } catch (e) {
      this.#fail(`the chain worker could not be started: ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    }
  }

  #startWorker(): Worker {
    // A worker inherits the process's flags, but --input-type (node -e) would stop one started from a file.
    const execArgv = process.execArgv.some((a) => a.startsWith('--input-type')) ? process.execArgv.filter((a) => !a.startsWith('--input-type')) : undefined;
    const w = new Worker(this.#workerUrl, { name: 'counterseed-chain', ...(execArgv && { execArgv }), resourceLimits: WORKER_HEAP });
    w.unref();
    this.#isReady = false;
    this.#ready = new Promise((resolve) => {
      w.once('message', () => { if (this.#worker === w) this.#isReady = true; resolve(true); });
      w.once('exit', () => resolve(false));
    });
    w.on('error', (e) => this.#giveUp(`the chain worker crashed: ${e instanceof Error ? e.message : String(e)}`, w));
    w.on('exit', (code) => this.#giveUp(`the chain worker exited (code ${code})`, w));
    this.#worker = w;
    return w;
  }

  #stopIdle(): void {
    this.#idle = undefined;
    if (this.#busy) return void (this.#idle = setTimeout(() => this.#stopIdle(), this.#idleMs).unref());
    const w = this.#worker;
    this.#worker = undefined;
    this.#sab = undefined;
    this.#tape = undefined;
    void w?.terminate();
  }

  /** Shared memory for a batch of `rows` rows: reused, grown when a batch needs more. */
  #room(rows: number): SharedArrayBuffer {
    if (!this.#sab || rowsIn(this.#sab) < rows) this.#sab = new SharedArrayBuffer(sharedBytesFor(Math.max(rows, this.#threshold)));
    return this.#sab;
  }

  #giveUp(reason: string, which: Worker | undefined = this.#worker): void {
    if (this.#closed || which !== this.#worker || !which) return;
    this.#worker = undefined;
    this.#sab = undefined;
    this.#tape = undefined;
    void which.terminate();
    this.#fail(reason);
  }

  #fail(reason: string): void {
    this.#failure = new EvidenceError(`${reason}; chaining continues in the main thread`);
    this.#onWorkerFailure?.(this.#failure);
  }
}

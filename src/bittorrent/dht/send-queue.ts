import type { NodeAddress } from './compact.ts';
import { DhtQueryError } from './errors.ts';
import type { QueryRateLimiter } from './rate-limit.ts';

export interface QueuedQuery {
  readonly to: NodeAddress;
  /** Called when the rate limits admit the query; it sends the datagram. */
  send(): void;
  reject(e: DhtQueryError): void;
  readonly signal?: AbortSignal | undefined;
}

/**
 * Queries waiting for the rate limits. One timer at most; a destination that must wait does
 * not hold up queries to other nodes (no head-of-line blocking), the global budget does.
 */
export class SendQueue {
  readonly #limiter: QueryRateLimiter;
  readonly #now: () => number;
  readonly #max: number;
  #queue: QueuedQuery[] = [];
  #timer: NodeJS.Timeout | undefined;
  #scheduled = false;
  #closed = false;

  constructor(o: { limiter: QueryRateLimiter; now: () => number; max: number }) {
    this.#limiter = o.limiter;
    this.#now = o.now;
    this.#max = o.max;
  }

  get length(): number { return this.#queue.length; }

  push(q: QueuedQuery): void {
    if (this.#closed) { q.reject(new DhtQueryError('closed')); return; }
    if (this.#queue.length >= this.#max) { q.reject(new DhtQueryError('queue-full', `${this.#max} queries waiting`)); return; }
    this.#queue.push(q);
    this.#schedule(0);
  }

  close(): void {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    for (const q of this.#queue.splice(0)) q.reject(new DhtQueryError('closed'));
  }

  #schedule(delayMs: number): void {
    if (this.#closed) return;
    if (delayMs <= 0) {
      if (this.#scheduled) return;
      this.#scheduled = true;
      if (this.#timer) { clearTimeout(this.#timer); this.#timer = undefined; }
      setImmediate(() => { this.#scheduled = false; this.#pump(); });
      return;
    }
    if (this.#scheduled || this.#timer) return;
    this.#timer = setTimeout(() => { this.#timer = undefined; this.#pump(); }, delayMs);
  }

  #pump(): void {
    const now = this.#now();
    const keep: QueuedQuery[] = [];
    let minWait = Infinity;
    let budgetLeft = true;
    for (const q of this.#queue) {
      if (q.signal?.aborted) { q.reject(new DhtQueryError('aborted')); continue; }
      if (!budgetLeft) { keep.push(q); continue; }
      const wait = this.#limiter.tryAcquire(`${q.to.ip}:${q.to.port}`, now);
      if (wait === 0) { q.send(); continue; }
      keep.push(q);
      minWait = Math.min(minWait, wait);
      // The global budget is spent when even an idle destination would wait.
      if (this.#limiter.destinationWait(`${q.to.ip}:${q.to.port}`, now) === 0) budgetLeft = false;
    }
    this.#queue = keep;
    if (keep.length > 0) this.#schedule(Math.max(1, Number.isFinite(minWait) ? minWait : 1));
  }
}

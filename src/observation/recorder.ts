import type { ObservationBus } from './bus.ts';
import type { EvidenceWriter } from './evidence-writer.ts';

export interface RecorderInit {
  flushIntervalMs: number;
  /** Largest batch written in one transaction. */
  maxBatch?: number;
  /** While the store fails: first retry after flushIntervalMs, doubling up to this (default 5,000 ms). */
  maxRetryMs?: number;
  /** While the store fails: the error is logged once, then again after 1 s, 2 s, ... up to this (default 60,000 ms). */
  maxLogIntervalMs?: number;
  /** On stop, how many more times a failing store is tried (retryMs apart) before what it holds is reported lost (default 3). */
  stopAttempts?: number;
}
export interface RecorderComponents {
  bus: ObservationBus;
  writer: EvidenceWriter;
  log?: (msg: string) => void;
  now?: () => number;
}

/** What the recorder did, and what it could not do: printed on exit ("0 dropped" only when nothing was). */
export interface RecorderReport {
  readonly written: number;
  readonly quarantined: number;
  /** Observations the bus could not hold (queue full, or over capacity while the store failed), by kind. */
  readonly dropped: Readonly<Record<string, number>>;
  /** Observations not written when the recorder stopped (held while the store failed, or lost with the writer thread), by kind. */
  readonly unwritten: Readonly<Record<string, number>>;
  /** Counters (drop counts) that could not be stored, by name: their numbers are only in this report. */
  readonly countersUnwritten: Readonly<Record<string, number>>;
  /** The store's error, while it is failing. */
  readonly fault: string | undefined;
}

const addCounts = (a: Record<string, number>, b: Readonly<Record<string, number>>) => {
  for (const [k, n] of Object.entries(b)) a[k] = (a[k] ?? 0) + n;
  return a;
};

/**
 * Moves observations from the bus to the evidence writer in batches (one transaction each). While
 * the store fails (disk full...) the batch stays on the bus (bounded: overflow is dropped and
 * counted), the real error is logged once and then at a growing interval, and retries back off; once
 * the store takes writes again, everything held is written, in order. Drop counts travel with the
 * next batch, in its transaction, and are kept until stored. `stop()` writes everything still
 * queued, or reports, with numbers, what it could not.
 */
export class ObservationRecorder {
  readonly #c: RecorderComponents;
  readonly #init: Required<RecorderInit>;
  readonly #now: () => number;
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | undefined;
  #written = 0;
  #quarantined = 0;
  /** Observations lost with a dead writer thread, by kind. */
  readonly #lost: Record<string, number> = {};
  /** Counters not yet stored (drop counts taken from the bus). */
  #counters: Record<string, number> = {};
  #fault: { message: string; since: number; failures: number; retryMs: number; retryAt: number; logMs: number; logAt: number } | undefined;

  constructor(components: RecorderComponents, init: RecorderInit) {
    this.#c = components;
    this.#init = { maxBatch: 5000, maxRetryMs: 5000, maxLogIntervalMs: 60_000, stopAttempts: 3, ...init };
    this.#now = components.now ?? Date.now;
  }

  start(): void {
    this.#timer = setInterval(() => { void this.flush(); }, this.#init.flushIntervalMs);
    this.#timer.unref();
  }

  /** Writes everything queued now (unless the store is failing and its next retry is not due). Concurrent calls share one flush. */
  flush(opts: { retryNow?: boolean } = {}): Promise<void> {
    if (this.#fault && !opts.retryNow && this.#now() < this.#fault.retryAt) return Promise.resolve();
    this.#flushing ??= this.#flushAll().finally(() => { this.#flushing = undefined; });
    return this.#flushing;
  }

  async #flushAll(): Promise<void> {
    const { bus, writer } = this.#c;
    // Bounded: at most the queue length at entry, plus what arrives meanwhile, in maxBatch steps.
    for (let rounds = Math.ceil(bus.size / this.#init.maxBatch) + 1; rounds > 0; rounds--) {
      for (const [kind, n] of Object.entries(bus.takeDropped())) this.#counters[`observations.dropped.${kind}`] = (this.#counters[`observations.dropped.${kind}`] ?? 0) + n;
      if (bus.size === 0 && Object.keys(this.#counters).length === 0) return;
      // The batch is not kept here while it is written: on a store fault the writer hands back what it holds.
      const out = await writer.write(bus.drain(this.#init.maxBatch), this.#counters);
      this.#written += out.written;
      this.#quarantined += out.quarantined;
      if (out.countersWritten) this.#counters = {};
      if (out.fault) {
        bus.requeue(out.fault.held);
        for (const [k, n] of Object.entries(out.fault.lost ?? {})) this.#lost[k] = (this.#lost[k] ?? 0) + n;
        this.#failed(out.fault.message);
        return;
      }
      if (out.quarantined > 0) this.#c.log?.(`observations quarantined: ${out.quarantined} the store refused as rows (kept verbatim in observation_quarantine, counted)`);
      if (this.#fault) this.#recovered();
      if (bus.size === 0 && Object.keys(this.#counters).length === 0) return;
    }
  }

  #failed(message: string): void {
    const now = this.#now();
    const f = this.#fault;
    if (!f || f.message !== message) {
      // A new error (or the first): said at once, whatever the interval.
      this.#fault = { message, since: f?.since ?? now, failures: (f?.failures ?? 0) + 1, retryMs: f?.retryMs ?? this.#init.flushIntervalMs, retryAt: 0, logMs: 1000, logAt: now + 1000 };
      this.#c.log?.(`evidence store failing: ${message}; holding ${this.#c.bus.size} observations (at most ${this.#c.bus.capacity}, overflow dropped and counted), retrying`);
    } else {
      f.failures++;
      f.retryMs = Math.min(2 * f.retryMs, this.#init.maxRetryMs);
      if (now >= f.logAt) {
        this.#c.log?.(`evidence store still failing after ${Math.round((now - f.since) / 1000)} s (${f.failures} attempts): ${message}; holding ${this.#c.bus.size}, dropped so far ${this.#c.bus.droppedTotal}`);
        f.logMs = Math.min(2 * f.logMs, this.#init.maxLogIntervalMs);
        f.logAt = now + f.logMs;
      }
    }
    this.#fault!.retryAt = now + this.#fault!.retryMs;
  }

  #recovered(): void {
    const f = this.#fault!;
    this.#fault = undefined;
    this.#c.log?.(`evidence store writable again after ${Math.round((this.#now() - f.since) / 1000)} s (${f.failures} failed attempts); held observations written, ${this.#c.bus.droppedTotal} dropped in all (counted in the store)`);
  }

  get written(): number { return this.#written; }
  /** The store's error while it is failing. */
  get fault(): string | undefined { return this.#fault?.message; }

  report(): RecorderReport {
    return {
      written: this.#written, quarantined: this.#quarantined, dropped: { ...this.#c.bus.droppedTotalByKind },
      unwritten: addCounts(this.#c.bus.queuedByKind(), this.#lost), countersUnwritten: { ...this.#counters }, fault: this.#fault?.message,
    };
  }

  /**
   * Writes everything still queued (producers are stopped before the recorder). A failing store is
   * tried stopAttempts more times; what it still holds then is reported, not written.
   */
  async stop(): Promise<RecorderReport> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    for (let i = 0, attempts = 0; i < 100 && attempts <= this.#init.stopAttempts; i++) {
      if (this.#fault) {
        if (attempts++ > 0) await new Promise((r) => setTimeout(r, this.#fault!.retryMs));
      }
      await this.flush({ retryNow: true });
      if (!this.#fault && this.#c.bus.size === 0 && Object.keys(this.#counters).length === 0) break;
    }
    return this.report();
  }
}

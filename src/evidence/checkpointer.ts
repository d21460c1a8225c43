import type { EvidenceLog } from './evidence-log.ts';

export interface CheckpointerInit {
  /** Checkpoint after this many new records. */
  everyRecords: number;
  /** ...or after this long with at least one new record. */
  intervalMs: number;
  /** How often the two conditions are checked. */
  tickMs?: number;
}

/** Periodic signed checkpoints (every N records or T ms), plus one at clean shutdown. */
export class Checkpointer {
  readonly #log: EvidenceLog;
  readonly #init: Required<CheckpointerInit>;
  readonly #now: () => number;
  readonly #onError: (e: Error) => void;
  #timer: NodeJS.Timeout | undefined;
  #lastCount = 0;
  #lastAt: number;

  constructor(c: { log: EvidenceLog; now: () => number; onError: (e: Error) => void }, init: CheckpointerInit) {
    this.#log = c.log;
    this.#now = c.now;
    this.#onError = c.onError;
    this.#init = { tickMs: Math.min(1000, init.intervalMs), ...init };
    this.#lastAt = c.now();
  }

  start(): void {
    this.#lastCount = this.#log.appended;
    this.#timer = setInterval(() => this.tick(), this.#init.tickMs);
    this.#timer.unref();
  }

  /** One check; public so tests drive it without timers. */
  tick(): void {
    const added = this.#log.appended - this.#lastCount;
    if (added <= 0) return;
    if (added >= this.#init.everyRecords || this.#now() - this.#lastAt >= this.#init.intervalMs) this.#take('periodic');
  }

  #take(reason: 'periodic' | 'shutdown'): void {
    try {
      this.#lastCount = this.#log.appended;
      this.#lastAt = this.#now();
      this.#log.checkpoint(reason);
    } catch (e) { this.#onError(e as Error); }
  }

  /** Final checkpoint over everything written (call after the recorder has flushed). */
  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#take('shutdown');
  }
}

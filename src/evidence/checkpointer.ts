import type { EvidenceLog } from './evidence-log.ts';
import { EvidenceError } from './errors.ts';

export interface CheckpointerInit {
  /** Checkpoint after this many new records. */
  everyRecords: number;
  /** ...or after this long with at least one new record. */
  intervalMs: number;
  /** How often the two conditions are checked. */
  tickMs?: number;
}

/**
 * Signed checkpoints: one at start, one soon after the first records of the run (at the first tick
 * that sees them, within tickMs), then every N records or T ms, and one at clean shutdown. The first
 * two exist because a node killed before its first periodic checkpoint (300 s by default) left
 * nothing of the run signed (issue 17, defect 6).
 */
export class Checkpointer {
  readonly #log: EvidenceLog;
  readonly #init: Required<CheckpointerInit>;
  readonly #now: () => number;
  readonly #onError: (e: Error) => void;
  #timer: NodeJS.Timeout | undefined;
  #lastCount = 0;
  #lastAt: number;
  #firstRecordsSigned = false;

  constructor(c: { log: EvidenceLog; now: () => number; onError: (e: Error) => void }, init: CheckpointerInit) {
    this.#log = c.log;
    this.#now = c.now;
    this.#onError = c.onError;
    this.#init = { tickMs: Math.min(1000, init.intervalMs), ...init };
    this.#lastAt = c.now();
  }

  /** Signs the start checkpoint (over everything written before, e.g. an unclean-shutdown record), then ticks. */
  start(): void {
    this.#take('start');
    this.#timer = setInterval(() => this.tick(), this.#init.tickMs);
    this.#timer.unref();
  }

  /** One check; public so tests drive it without timers. */
  tick(): void {
    const added = this.#log.records - this.#lastCount;
    if (added <= 0) return;
    if (!this.#firstRecordsSigned) { this.#firstRecordsSigned = true; this.#take('periodic'); return; }
    if (added >= this.#init.everyRecords || this.#now() - this.#lastAt >= this.#init.intervalMs) this.#take('periodic');
  }

  #take(reason: 'start' | 'periodic' | 'shutdown'): void {
    try {
      this.#lastCount = this.#log.records;
      this.#lastAt = this.#now();
      this.#log.checkpoint(reason);
    } catch (e) {
      // The audit refused (a row deleted or changed, an edited index): the node keeps recording, says so
      // loudly at every attempt, and signs nothing until the log is whole again.
      this.#onError(e instanceof EvidenceError ? new EvidenceError(`EVIDENCE LOG DAMAGED, nothing is signed until it is resolved: ${e.message}`) : e as Error);
    }
  }

  /** Final checkpoint over everything written (call after the recorder has flushed). */
  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#take('shutdown');
  }
}

/** When an open session's state is recorded (settings observation.progressIntervalMs / progressBytes). */
export interface ProgressPolicy {
  /** A session that served something new is recorded at most this long after the change, ms. */
  readonly intervalMs: number;
  /** ...and at once when it has served this many more bytes since its last record. */
  readonly bytes: number;
}

/**
 * Decides when a delivery session publishes a session-progress record (issue 17, item 5): a kill -9
 * then loses at most `intervalMs` (or `bytes`) of an open session, plus the recorder's flush interval.
 * A timer exists only while the session has unrecorded progress, so idle sessions, the common case
 * among thousands of held connections, cost nothing; Node keeps timers of equal duration in one
 * list, so many active sessions cost one list entry each.
 */
export class ProgressSchedule {
  readonly #policy: ProgressPolicy;
  readonly #emit: () => void;
  readonly #bytesServed: () => number;
  #timer: NodeJS.Timeout | undefined;
  #recordedBytes = 0;
  #stopped = false;

  /** `emit` publishes the session's state as it is now; `bytesServed` reads its running byte total. */
  constructor(policy: ProgressPolicy, c: { emit: () => void; bytesServed: () => number }) {
    this.#policy = policy;
    this.#emit = c.emit;
    this.#bytesServed = c.bytesServed;
  }

  /** The session served something (blocks or metadata). */
  changed(): void {
    if (this.#stopped) return;
    if (this.#bytesServed() - this.#recordedBytes >= this.#policy.bytes) { this.#record(); return; }
    if (this.#timer) return;
    this.#timer = setTimeout(() => { this.#timer = undefined; this.#record(); }, this.#policy.intervalMs);
    this.#timer.unref();
  }

  #record(): void {
    if (this.#timer) { clearTimeout(this.#timer); this.#timer = undefined; }
    this.#recordedBytes = this.#bytesServed();
    this.#emit();
  }

  /** The session ended (its delivery record is the final account): no further progress records. */
  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}

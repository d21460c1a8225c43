/**
 * Global upload token bucket. One refill timer for the whole node; sessions that find the
 * bucket empty park a wake-up callback instead of polling.
 */
export class RateLimiter {
  readonly #rate: number;
  #tokens: number;
  readonly #waiters = new Set<() => void>();
  #timer: NodeJS.Timeout | undefined;
  static readonly TICK_MS = 50;

  /** @param bytesPerSecond 0 = unlimited */
  constructor(bytesPerSecond: number) {
    this.#rate = bytesPerSecond;
    this.#tokens = bytesPerSecond;
  }

  get unlimited(): boolean { return this.#rate === 0; }

  start(): void {
    if (this.unlimited) return;
    this.#timer = setInterval(() => {
      // Burst of at most one second's worth keeps the average honest.
      this.#tokens = Math.min(this.#rate, this.#tokens + (this.#rate * RateLimiter.TICK_MS) / 1000);
      const ws = [...this.#waiters];
      this.#waiters.clear();
      for (const w of ws) w();
    }, RateLimiter.TICK_MS);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#waiters.clear();
  }

  /** Takes `n` bytes of allowance if available. */
  tryTake(n: number): boolean {
    if (this.unlimited) return true;
    if (this.#tokens < n) return false;
    this.#tokens -= n;
    return true;
  }

  /** Calls `fn` once at the next refill. */
  wake(fn: () => void): void { this.#waiters.add(fn); }
  cancel(fn: () => void): void { this.#waiters.delete(fn); }
}

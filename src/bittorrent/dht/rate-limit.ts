/**
 * Outgoing query admission: a global token bucket (queries/s) and a per-destination cap.
 * Peers ban nodes that send more than ~50 messages in 10 s; `perDestination` queries/s to one node (ip:port)
 * is enforced as a minimum spacing, so ANY one-second window holds at most that many.
 */
export class QueryRateLimiter {
  readonly #rate: number;
  readonly #burst: number;
  readonly #spacingMs: number;
  readonly #lastByDest = new Map<string, number>();
  #tokens: number;
  #refilledAt: number;
  #pruneAt = 0;

  constructor(o: { perSecond: number; perDestinationPerSecond: number; now: number }) {
    this.#rate = o.perSecond;
    // A tenth of a second of burst: smooth enough that a cycle does not arrive as a spike.
    this.#burst = Math.max(1, Math.ceil(o.perSecond / 10));
    this.#tokens = this.#burst;
    this.#refilledAt = o.now;
    // 10% more than 1000/n ms apart, so that a 1 s window at the receiver never holds n+1
    // even when network or event-loop delay shifts one datagram by up to ~0.1 s.
    this.#spacingMs = Math.ceil(1100 / o.perDestinationPerSecond);
  }

  /** 0 if a query to `dest` may go now (and the caller must send it), else ms to wait. */
  tryAcquire(dest: string, now: number): number {
    this.#refill(now);
    const last = this.#lastByDest.get(dest);
    if (last !== undefined && now - last < this.#spacingMs) return this.#spacingMs - (now - last);
    if (this.#tokens < 1) return Math.ceil((1 - this.#tokens) * 1000 / this.#rate);
    this.#tokens -= 1;
    this.#lastByDest.set(dest, now);
    this.#prune(now);
    return 0;
  }

  /** Ms until `dest` may be queried again (0 = now), ignoring the global budget. */
  destinationWait(dest: string, now: number): number {
    const last = this.#lastByDest.get(dest);
    return last === undefined ? 0 : Math.max(0, this.#spacingMs - (now - last));
  }

  get trackedDestinations(): number { return this.#lastByDest.size; }

  #refill(now: number): void {
    const dt = now - this.#refilledAt;
    if (dt <= 0) return;
    this.#tokens = Math.min(this.#burst, this.#tokens + (dt * this.#rate) / 1000);
    this.#refilledAt = now;
  }

  /** Memory stays proportional to the destinations of the last spacing interval. */
  #prune(now: number): void {
    if (now < this.#pruneAt) return;
    this.#pruneAt = now + this.#spacingMs;
    for (const [d, t] of this.#lastByDest) if (now - t >= this.#spacingMs) this.#lastByDest.delete(d);
  }
}

/** A counting semaphore with abortable waits: bounds concurrent work without dropping it. */
export class Slots {
  readonly #max: number;
  #used = 0;
  readonly #waiters: Array<() => void> = [];

  constructor(max: number) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`slot count must be a positive integer, got ${max}`);
    this.#max = max;
  }

  get used(): number { return this.#used; }

  async acquire(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    if (this.#used < this.#max) { this.#used++; return; }
    await new Promise<void>((resolve, reject) => {
      const grant = (): void => { signal?.removeEventListener('abort', onAbort); resolve(); };
      const onAbort = (): void => {
        const i = this.#waiters.indexOf(grant);
        if (i >= 0) this.#waiters.splice(i, 1);
        reject(signal!.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiters.push(grant);
    });
  }

  /** Hands the slot straight to the next waiter, so `used` never overshoots. */
  release(): void {
    const next = this.#waiters.shift();
    if (next !== undefined) next();
    else this.#used--;
  }
}

import { createHash, type Hash } from 'node:crypto';

const FILL_CHUNK = 1 << 20;

/**
 * Hash states after `base` + n repeated fill bytes, for any n, without rehashing
 * the fill for every decoy (issue 3 §5: "piece hashes for repeated padding content are
 * computed once and reused"). Keeps a checkpoint every `step` bytes (made on demand,
 * in order) and a cursor at the last query, so a batch sorted by n hashes the fill
 * once in all, and a random query hashes at most `step` bytes.
 */
export class FillWalker {
  readonly #base: Hash;
  readonly #step: number;
  readonly #chunk: Uint8Array;
  readonly #checkpoints: Hash[] = [];
  #cursor: { n: number; h: Hash } | undefined;
  readonly #maxFill: number;

  constructor(opts: { algorithm: 'md5' | 'sha1' | 'sha256'; prefix?: Uint8Array; fill: number; step: number; maxFill: number }) {
    this.#base = createHash(opts.algorithm);
    if (opts.prefix) this.#base.update(opts.prefix);
    this.#step = opts.step;
    this.#maxFill = opts.maxFill;
    this.#chunk = new Uint8Array(Math.min(FILL_CHUNK, opts.step)).fill(opts.fill);
    this.#checkpoints.push(this.#base.copy());
  }

  /**
   * Makes the next missing checkpoint on the way to `n` (one step of hashing) and says whether
   * after(n) is now cheap (at most one step). Async callers loop on it, yielding between calls, so a
   * walk over tens of GiB of fill never blocks their event loop for more than one step.
   */
  advanceToward(n: number): boolean {
    const k = Math.min(Math.floor(n / this.#step), Math.floor(this.#maxFill / this.#step));
    if (this.#checkpoints.length > k) return true;
    const h = this.#checkpoints[this.#checkpoints.length - 1]!.copy();
    this.#feed(h, this.#step);
    this.#checkpoints.push(h);
    return this.#checkpoints.length > k;
  }

  /** A fresh Hash over prefix + n fill bytes; the caller may update and digest it. */
  after(n: number): Hash {
    if (!Number.isSafeInteger(n) || n < 0 || n > this.#maxFill) throw new RangeError(`fill length ${n} outside [0, ${this.#maxFill}]`);
    const k = Math.floor(n / this.#step);
    while (this.#checkpoints.length <= k) {
      const h = this.#checkpoints[this.#checkpoints.length - 1]!.copy();
      this.#feed(h, this.#step);
      this.#checkpoints.push(h);
    }
    let from: { n: number; h: Hash } = { n: k * this.#step, h: this.#checkpoints[k]! };
    const c = this.#cursor;
    if (c !== undefined && c.n <= n && c.n > from.n) from = c;
    const h = from.h.copy();
    this.#feed(h, n - from.n);
    this.#cursor = { n, h: h.copy() };
    return h;
  }

  #feed(h: Hash, n: number): void {
    while (n > 0) {
      const m = Math.min(n, this.#chunk.length);
      h.update(this.#chunk.subarray(0, m));
      n -= m;
    }
  }

  /** Checkpoints held; bounded by maxFill / step + 1. */
  get checkpoints(): number { return this.#checkpoints.length; }
}

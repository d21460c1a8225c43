/**
 * Full-size DATA packet buffers, reused once acknowledged.
 *
 * Why (issue 10 target: uTP CPU per GB <= libtorrent's): a seeder sends ~750,000 packets per GB.
 * Allocating each (and copying the payload into it twice, through Buffer.concat and the encoder)
 * cost page faults, malloc and GC work that profiling put at ~15 % of the seeder's CPU.
 *
 * Safety: a buffer comes back only from SendWindow, for a packet acknowledged after exactly one
 * transmission. That transmission has reached the peer, so neither Node nor libuv still holds the
 * buffer for a send. A packet sent more than once is left to the garbage collector: one of its
 * copies may still be queued behind a full socket buffer.
 */
export class PacketPool {
  readonly #size: number;
  readonly #max: number;
  readonly #free: Buffer[] = [];

  /** `size`: bytes of one full packet (header + mss); `max`: free buffers kept at most (bounded memory). */
  constructor(size: number, max: number) {
    this.#size = size;
    this.#max = max;
  }

  get size(): number { return this.#size; }
  get free(): number { return this.#free.length; }

  /** A buffer of `size` bytes, contents undefined. */
  take(): Buffer {
    // allocUnsafeSlow: its own memory, not a slice of Node's shared 8 KiB pool that a kept buffer would pin.
    return this.#free.pop() ?? Buffer.allocUnsafeSlow(this.#size);
  }

  give(b: Buffer): void {
    if (b.length === this.#size && this.#free.length < this.#max) this.#free.push(b);
  }
}

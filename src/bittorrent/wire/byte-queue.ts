/**
 * A FIFO of byte chunks. Taking n bytes returns a view when they lie inside one
 * chunk and copies only when they straddle chunks, so every received byte is
 * copied at most once however small the chunks are (no quadratic re-concatenation).
 * Chunks are kept by reference: callers must not mutate a chunk after pushing it.
 */
export class ByteQueue {
  #chunks: Uint8Array[] = [];
  /** Index of the first live chunk; consumed chunks before it are compacted away in bulk (Array#shift is O(n)). */
  #first = 0;
  /** Read offset into the first live chunk. */
  #head = 0;
  #length = 0;

  get length(): number { return this.#length; }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.#chunks.push(chunk);
    this.#length += chunk.length;
  }

  /** Byte at offset i from the front; i must be < length. */
  at(i: number): number {
    let off = this.#head + i;
    for (let k = this.#first; k < this.#chunks.length; k++) {
      const c = this.#chunks[k] as Uint8Array;
      if (off < c.length) return c[off] as number;
      off -= c.length;
    }
    throw new RangeError(`offset ${i} beyond ${this.#length} buffered bytes`);
  }

  /** Big-endian uint32 at the front, without consuming it; needs length >= 4. */
  peekUint32(): number {
    return ((this.at(0) << 24) | (this.at(1) << 16) | (this.at(2) << 8) | this.at(3)) >>> 0;
  }

  /** Up to n bytes from the front without consuming them (copied). */
  peek(n: number): Uint8Array {
    const out = new Uint8Array(Math.min(n, this.#length));
    for (let i = 0; i < out.length; i++) out[i] = this.at(i);
    return out;
  }

  /** Removes and returns the first n bytes (n <= length). */
  take(n: number): Uint8Array {
    if (n > this.#length) throw new RangeError(`take(${n}) with ${this.#length} buffered`);
    const first = this.#chunks[this.#first];
    if (first !== undefined && first.length - this.#head >= n) {
      const out = first.subarray(this.#head, this.#head + n);
      this.skip(n);
      return out;
    }
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const c = this.#chunks[this.#first] as Uint8Array;
      const m = Math.min(n - filled, c.length - this.#head);
      out.set(c.subarray(this.#head, this.#head + m), filled);
      filled += m;
      this.skip(m);
    }
    return out;
  }

  /** Discards the first n bytes (n <= length). */
  skip(n: number): void {
    this.#length -= n;
    this.#head += n;
    while (this.#first < this.#chunks.length && this.#head >= (this.#chunks[this.#first] as Uint8Array).length) {
      this.#head -= (this.#chunks[this.#first] as Uint8Array).length;
      this.#chunks[this.#first++] = EMPTY; // drop the reference now so the memory can be reclaimed
    }
    if (this.#first === this.#chunks.length) {
      this.#chunks = [];
      this.#first = 0;
    } else if (this.#first >= 1024 && this.#first * 2 >= this.#chunks.length) {
      this.#chunks = this.#chunks.slice(this.#first);
      this.#first = 0;
    }
  }

  clear(): void {
    this.#chunks = [];
    this.#first = 0;
    this.#head = 0;
    this.#length = 0;
  }
}

const EMPTY = new Uint8Array(0);

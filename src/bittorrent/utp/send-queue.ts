const EMPTY_BUFFER = Buffer.alloc(0);

/**
 * Bytes the application wrote and the stream has not yet put into packets, as the chunks written
 * (no concatenation): packets are cut from them mss bytes at a time.
 */
export class SendQueue {
  /** Chunks from #head on, the first with #used bytes already taken. */
  #chunks: Buffer[] = [];
  #head = 0;
  #used = 0;
  #bytes = 0;

  get bytes(): number { return this.#bytes; }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.#chunks.push(chunk);
    this.#bytes += chunk.length;
  }

  /** Moves n queued bytes (n <= bytes) into out at `at`. Always a copy: a packet may be resent long after the writer reused the buffer it wrote. */
  takeInto(out: Buffer, at: number, n: number): void {
    let need = n;
    while (need > 0) {
      const head = this.#chunks[this.#head]!;
      const k = Math.min(need, head.length - this.#used);
      head.copy(out, at, this.#used, this.#used + k);
      at += k;
      need -= k;
      this.#used += k;
      if (this.#used === head.length) {
        this.#chunks[this.#head++] = EMPTY_BUFFER;
        this.#used = 0;
      }
    }
    // Compact the queue now and then rather than shift() per chunk.
    if (this.#head >= 64 || this.#head === this.#chunks.length) { this.#chunks.splice(0, this.#head); this.#head = 0; }
    this.#bytes -= n;
  }

  clear(): void {
    this.#chunks = [];
    this.#head = 0;
    this.#used = 0;
    this.#bytes = 0;
  }
}

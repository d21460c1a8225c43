import { createHash, type Hash } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';

const FLUSH_AT = 1 << 16;

/**
 * A package file written piece by piece: text is buffered up to ~64 KiB, then UTF-8 encoded,
 * hashed (SHA-256, for the manifest) and written, so a file of any size costs a fixed buffer.
 * The file must not exist yet ('wx').
 */
export class HashedFile {
  readonly #fd: number;
  readonly #hash: Hash = createHash('sha256');
  #parts: string[] = [];
  #chars = 0;
  #closed = false;

  readonly path: string;

  constructor(path: string) {
    this.path = path;
    this.#fd = openSync(path, 'wx');
  }

  write(s: string | Uint8Array): void {
    if (typeof s !== 'string') { this.#flush(); this.#out(s); return; }
    this.#parts.push(s);
    this.#chars += s.length;
    if (this.#chars >= FLUSH_AT) this.#flush();
  }

  #flush(): void {
    if (this.#parts.length === 0) return;
    const b = Buffer.from(this.#parts.length === 1 ? this.#parts[0]! : this.#parts.join(''), 'utf8');
    this.#parts = [];
    this.#chars = 0;
    this.#out(b);
  }

  #out(b: Uint8Array): void {
    this.#hash.update(b);
    for (let off = 0; off < b.length;) off += writeSync(this.#fd, b, off, b.length - off);
  }

  /** Writes what is buffered, closes the file and returns its SHA-256 (hex). */
  close(): string {
    this.#flush();
    this.#closed = true;
    closeSync(this.#fd);
    return this.#hash.digest('hex');
  }

  /** Closes without flushing (after a failure; the caller removes the file). */
  abandon(): void {
    if (this.#closed) return;
    this.#closed = true;
    closeSync(this.#fd);
  }
}

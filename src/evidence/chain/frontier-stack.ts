import { hash } from 'node:crypto';
import { HASH_LEN, type Frontier } from '../merkle.ts';

/** A frontier of a size below 2^53 has at most 53 roots. */
const MAX_ROOTS = 64;

/**
 * Appends leaves to a Merkle frontier (merkle.ts Frontier): the one way the chain extends it, in the
 * worker, inline, and when the log rebuilds its frontier from the database. No Buffer per interior
 * node: the roots live side by side in one buffer, and each merge hashes 0x01 || left || right (RFC 9162 section
 * 2.1.1, as merkle.ts nodeHash) into the left one's place. The hex digest plus a hex write costs
 * about half of a Buffer digest, which Node allocates slowly.
 */
export class FrontierStack {
  readonly #roots = Buffer.alloc(MAX_ROOTS * HASH_LEN);
  readonly #node = Buffer.alloc(1 + 2 * HASH_LEN);
  #count = 0;
  #size = 0;

  constructor() { this.#node[0] = 1; }

  load(f: Frontier): void {
    if (f.roots.length > MAX_ROOTS) throw new RangeError(`frontier of ${f.roots.length} roots`);
    f.roots.forEach((r, i) => this.#roots.set(r, i * HASH_LEN));
    this.#count = f.roots.length;
    this.#size = f.size;
  }

  get size(): number { return this.#size; }

  /** Appends the leaf hash at leaves[at, at + 32). */
  append(leaves: Uint8Array, at: number): void {
    const roots = this.#roots;
    roots.set(leaves.subarray(at, at + HASH_LEN), this.#count * HASH_LEN);
    this.#count++;
    this.#size++;
    // Merge while the two rightmost subtrees have equal size: one merge per trailing 1-bit of the old
    // size (in doubles, not bit operators: sizes pass 2^32).
    for (let s = this.#size; s % 2 === 0; s /= 2) {
      const left = (this.#count - 2) * HASH_LEN;
      roots.copy(this.#node, 1, left, left + 2 * HASH_LEN);
      roots.write(hash('sha256', this.#node, 'hex'), left, HASH_LEN, 'hex');
      this.#count--;
    }
  }

  /** The frontier, with roots of its own. */
  frontier(): Frontier {
    const roots: Buffer[] = [];
    for (let i = 0; i < this.#count; i++) roots.push(Buffer.from(this.#roots.subarray(i * HASH_LEN, (i + 1) * HASH_LEN)));
    return { size: this.#size, roots };
  }
}

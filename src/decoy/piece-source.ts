import type { PieceSource } from '../domain/piece-source.ts';

/**
 * A decoy whose content is exactly the payload bytes (issue 2).
 *
 * Design note: issue 3 adds sources that compute content on demand, e.g. a payload
 * padded to a mimicked size or made unique per decoy (content = f(payload variant,
 * decoy params)), without storing anything per decoy. Builders, hashers and the
 * seeder therefore depend only on the PieceSource interface, never on this class.
 */
export class BytesPieceSource implements PieceSource {
  readonly #bytes: Uint8Array;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
  }

  get length(): number {
    return this.#bytes.length;
  }

  /** A view into the payload (no copy); callers must not modify it. */
  read(offset: number, length: number): Uint8Array {
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > this.#bytes.length) {
      throw new RangeError(`read [${offset}, ${offset + length}) outside content [0, ${this.#bytes.length})`);
    }
    return this.#bytes.subarray(offset, offset + length);
  }
}

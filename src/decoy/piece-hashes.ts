import { createHash } from 'node:crypto';
import type { PieceSource } from '../domain/piece-source.ts';

const SHA1_LEN = 20;

/** BEP 3 `pieces`: the SHA-1 of each piece, concatenated; the last piece may be short. */
export function pieceHashes(src: PieceSource, pieceLength: number): Uint8Array {
  if (!Number.isSafeInteger(pieceLength) || pieceLength <= 0) throw new RangeError(`bad piece length ${pieceLength}`);
  const count = Math.ceil(src.length / pieceLength);
  const out = new Uint8Array(count * SHA1_LEN);
  for (let i = 0; i < count; i++) {
    const offset = i * pieceLength;
    const piece = src.read(offset, Math.min(pieceLength, src.length - offset));
    out.set(createHash('sha1').update(piece).digest(), i * SHA1_LEN);
  }
  return out;
}

/**
 * Remembers piece hashes per (content key, length, piece length), so building
 * 10,000 decoys over one payload hashes it once. The content key names the bytes a
 * source yields: the payload id now, payload id + variant once sources compute
 * content (issue 3). Least recently used entries are dropped beyond `maxEntries`.
 */
export class PieceHashCache {
  readonly #max: number;
  readonly #entries = new Map<string, Uint8Array>();

  constructor(maxEntries = 32) {
    this.#max = maxEntries;
  }

  /** The returned array is shared: callers must not modify it. */
  get(contentKey: string, src: PieceSource, pieceLength: number): Uint8Array {
    const key = `${contentKey}\u0000${src.length}\u0000${pieceLength}`;
    const hit = this.#entries.get(key);
    if (hit !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, hit);
      return hit;
    }
    const hashes = pieceHashes(src, pieceLength);
    this.#entries.set(key, hashes);
    if (this.#entries.size > this.#max) this.#entries.delete(this.#entries.keys().next().value!);
    return hashes;
  }

  get size(): number {
    return this.#entries.size;
  }
}

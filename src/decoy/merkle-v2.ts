import { createHash } from 'node:crypto';

/** BEP 52: leaves are SHA-256 of 16 KiB blocks. */
export const V2_BLOCK = 16 * 1024;
const ZERO = new Uint8Array(32);

export interface FileMerkle {
  /** BEP 52 `pieces root`. */
  readonly root: Uint8Array;
  /** The piece layer (32 bytes per piece), present only for files longer than a piece (BEP 52 `piece layers`). */
  readonly layer: Uint8Array | undefined;
}

/**
 * The BEP 52 Merkle tree of one file: leaves are SHA-256 of its 16 KiB blocks (the last
 * one may be short), padded with zero hashes to a power of two; inner nodes are
 * SHA-256(left || right). `leaf(i)` gives block i's hash, so callers can reuse one
 * hash for every block of padding fill. Runs of equal sibling pairs (fill again) are
 * hashed once per level, so a multi-GB fill costs about one hash per level.
 */
export function fileMerkle(length: number, pieceLength: number, leaf: (index: number) => Uint8Array): FileMerkle {
  if (!Number.isSafeInteger(length) || length <= 0) throw new RangeError(`file length must be positive, got ${length}`);
  if (pieceLength < V2_BLOCK || (pieceLength & (pieceLength - 1)) !== 0) throw new RangeError(`piece length must be a power of two >= 16 KiB, got ${pieceLength}`);
  const blocks = Math.ceil(length / V2_BLOCK);
  let width = 1;
  while (width < blocks) width *= 2;
  let level: Uint8Array[] = new Array<Uint8Array>(width);
  for (let i = 0; i < width; i++) level[i] = i < blocks ? leaf(i) : ZERO;
  let covers = V2_BLOCK;
  let layer: Uint8Array | undefined;
  while (true) {
    if (covers === pieceLength && length > pieceLength) layer = concat(level.slice(0, Math.ceil(length / pieceLength)));
    if (level.length === 1) break;
    const up = new Array<Uint8Array>(level.length / 2);
    for (let i = 0; i < up.length; i++) {
      const a = level[2 * i]!;
      const b = level[2 * i + 1]!;
      const prev = i > 0 ? i - 1 : -1;
      up[i] = prev >= 0 && level[2 * prev] === a && level[2 * prev + 1] === b ? up[prev]! : sha256(a, b);
    }
    level = up;
    covers *= 2;
  }
  return { root: level[0]!, layer };
}

function sha256(a: Uint8Array, b: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(a).update(b).digest());
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.length * 32);
  parts.forEach((p, i) => out.set(p, i * 32));
  return out;
}

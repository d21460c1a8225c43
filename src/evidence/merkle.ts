import { createHash, hash } from 'node:crypto';

/**
 * RFC 9162 (Certificate Transparency v2) section 2.1 Merkle tree over SHA-256.
 * Leaf hash = SHA-256(0x00 || data), interior = SHA-256(0x01 || left || right): the prefixes
 * keep a leaf from ever being passed off as an interior node (second-preimage defence).
 */
export const HASH_LEN = 32;
const LEAF = Buffer.from([0]);
const NODE = Buffer.from([1]);

export function leafHash(data: Uint8Array): Buffer {
  // One-shot crypto.hash: about twice as fast as a Hash object for record-sized inputs.
  return hash('sha256', Buffer.concat([LEAF, data], data.length + 1), 'buffer');
}

/** leafHash of a string's UTF-8 bytes (the chain's hot path): "\0" is the 0x00 prefix byte in UTF-8. */
export function leafHashOfText(text: string): Buffer {
  return hash('sha256', `\0${text}`, 'buffer');
}

/** Scratch input for nodeHash: 0x01 || left || right (hashing is synchronous, so one buffer serves every call). */
const nodeInput = Buffer.alloc(1 + 2 * HASH_LEN);
nodeInput[0] = NODE[0]!;

export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  if (left.length !== HASH_LEN || right.length !== HASH_LEN) return createHash('sha256').update(NODE).update(left).update(right).digest();
  nodeInput.set(left, 1);
  nodeInput.set(right, 1 + HASH_LEN);
  return hash('sha256', nodeInput, 'buffer');
}

/** MTH({}) = SHA-256() (RFC 9162 section 2.1.1). */
export const EMPTY_ROOT = createHash('sha256').digest();

/**
 * A compact range [0, size): the roots of the perfect subtrees that make up the tree, largest
 * first (one per set bit of size). Enough to append leaves and compute the root in O(log n),
 * so periodic checkpoints cost only the records added since the previous one.
 */
export interface Frontier {
  size: number;
  roots: Buffer[];
}

export const emptyFrontier = (): Frontier => ({ size: 0, roots: [] });
/** MTH(D[n]): the RFC 9162 split at the largest power of two < n is exactly folding the roots right to left. */
export function frontierRoot(f: Frontier): Buffer {
  if (f.roots.length === 0) return EMPTY_ROOT;
  let r = f.roots[f.roots.length - 1]!;
  for (let i = f.roots.length - 2; i >= 0; i--) r = nodeHash(f.roots[i]!, r);
  return r;
}

export function frontierToBytes(f: Frontier): Buffer { return Buffer.concat(f.roots); }

export function frontierFromBytes(size: number, bytes: Uint8Array): Frontier {
  const n = popcount(size);
  if (bytes.length !== n * HASH_LEN) throw new RangeError(`frontier for size ${size} needs ${n} hashes, got ${bytes.length} bytes`);
  const roots: Buffer[] = [];
  for (let i = 0; i < n; i++) roots.push(Buffer.from(bytes.subarray(i * HASH_LEN, (i + 1) * HASH_LEN)));
  return { size, roots };
}

function popcount(n: number): number {
  let c = 0;
  for (let x = n; x > 0; x = Math.floor(x / 2)) c += x % 2;
  return c;
}

/**
 * All levels of the tree over `leaves` (RFC 9162 shape: an unpaired rightmost node is carried up
 * unchanged, which is the same tree as the recursive largest-power-of-two split).
 */
export class MerkleLevels {
  readonly #levels: Buffer[][];

  constructor(leaves: readonly Buffer[]) {
    this.#levels = [leaves.slice()];
    for (let cur = this.#levels[0]!; cur.length > 1;) {
      const next: Buffer[] = [];
      for (let i = 0; i + 1 < cur.length; i += 2) next.push(nodeHash(cur[i]!, cur[i + 1]!));
      if (cur.length % 2 === 1) next.push(cur[cur.length - 1]!);
      this.#levels.push(next);
      cur = next;
    }
  }

  get size(): number { return this.#levels[0]!.length; }
  root(): Buffer { return this.size === 0 ? EMPTY_ROOT : this.#levels[this.#levels.length - 1]![0]!; }

  /** PATH(m, D[n]) of RFC 9162 section 2.1.3.1, leaf-to-root order. */
  inclusionProof(index: number): Buffer[] {
    if (!Number.isInteger(index) || index < 0 || index >= this.size) throw new RangeError(`leaf ${index} not in tree of size ${this.size}`);
    const path: Buffer[] = [];
    let i = index;
    for (let l = 0; l < this.#levels.length - 1; l++) {
      const level = this.#levels[l]!;
      const sib = i ^ 1;
      if (sib < level.length) path.push(level[sib]!);
      i >>>= 1;
    }
    return path;
  }
}

/** RFC 9162 section 2.1.3.2: verifies `path` proves `leaf` at `index` in a tree of `size` with root `root`. */
export function verifyInclusion(leaf: Uint8Array, index: number, size: number, path: readonly Uint8Array[], root: Uint8Array): boolean {
  if (index >= size || index < 0) return false;
  let fn = index;
  let sn = size - 1;
  let r: Buffer = Buffer.from(leaf);
  for (const p of path) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) while (fn % 2 === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && r.equals(Buffer.from(root));
}

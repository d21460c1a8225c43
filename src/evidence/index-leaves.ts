import { FrontierStack } from './chain/frontier-stack.ts';
import { frontierRoot, HASH_LEN } from './merkle.ts';

/**
 * The key index's leaf hashes in key order (the sorted Merkle map of key-index.ts), held in memory
 * between checkpoints so that a checkpoint rehashes the leaves of the keys its records touched and
 * no other (issue 17 item 1: incremental audit). The interior of the tree is recomputed from these
 * hashes (n - 1 hashes of 65 bytes, ~0.3 µs each): a key inserted into a sorted map moves every
 * leaf after it, so no interior node can be kept across an insertion.
 *
 * It is trusted only as far as it was checked: audit.ts builds it from the database's leaves and
 * compares its root with the signed one, and keeps it only for the state it has just signed.
 */
export class IndexLeaves {
  #keys: string[];
  /** 32 bytes per key, in key order. */
  #hashes: Buffer;

  private constructor(keys: string[], hashes: Buffer) { this.#keys = keys; this.#hashes = hashes; }

  static empty(): IndexLeaves { return new IndexLeaves([], Buffer.alloc(0)); }

  /** From leaves already sorted by key (byte order = JavaScript's for the ASCII keys); throws if they are not. */
  static fromSorted(leaves: Iterable<{ key: string; hash: Uint8Array }>): IndexLeaves {
    const keys: string[] = [];
    const hashes: Buffer[] = [];
    for (const l of leaves) {
      if (keys.length > 0 && !(keys[keys.length - 1]! < l.key)) throw new RangeError(`index keys out of order at ${l.key}`);
      keys.push(l.key);
      hashes.push(Buffer.from(l.hash));
    }
    return new IndexLeaves(keys, Buffer.concat(hashes, keys.length * HASH_LEN));
  }

  get size(): number { return this.#keys.length; }

  /** Position of `key`, or -(insertion point) - 1 when absent. */
  #find(key: string): number {
    let lo = 0;
    let hi = this.#keys.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const k = this.#keys[mid]!;
      if (k < key) lo = mid + 1;
      else if (k > key) hi = mid - 1;
      else return mid;
    }
    return -lo - 1;
  }

  hashOf(key: string): Buffer | undefined {
    const i = this.#find(key);
    return i < 0 ? undefined : this.#hashes.subarray(i * HASH_LEN, (i + 1) * HASH_LEN);
  }

  /** Sets the leaf hashes of `changed` keys, inserting the new ones in key order (one merge pass). */
  update(changed: ReadonlyMap<string, Uint8Array>): void {
    const added: string[] = [];
    for (const [key, h] of changed) {
      const i = this.#find(key);
      if (i >= 0) this.#hashes.set(h, i * HASH_LEN);
      else added.push(key);
    }
    if (added.length === 0) return;
    added.sort();
    const keys = new Array<string>(this.#keys.length + added.length);
    const hashes = Buffer.alloc(keys.length * HASH_LEN);
    let a = 0;
    let o = 0;
    for (let n = 0; n < keys.length; n++) {
      if (a < added.length && (o >= this.#keys.length || added[a]! < this.#keys[o]!)) {
        keys[n] = added[a]!;
        hashes.set(changed.get(added[a++]!)!, n * HASH_LEN);
      } else {
        keys[n] = this.#keys[o]!;
        this.#hashes.copy(hashes, n * HASH_LEN, o * HASH_LEN, (o + 1) * HASH_LEN);
        o++;
      }
    }
    this.#keys = keys;
    this.#hashes = hashes;
  }

  /** RFC 9162 root over the leaf hashes in key order (the checkpoint's `index`), hex. */
  root(): string {
    const f = new FrontierStack();
    for (let i = 0; i < this.#keys.length; i++) f.append(this.#hashes, i * HASH_LEN);
    return frontierRoot(f.frontier()).toString('hex');
  }
}

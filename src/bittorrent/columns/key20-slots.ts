/**
 * An open-addressing hash index from a 20-byte key (an infohash, an MSE req2 hash) to a slot
 * number. The keys themselves stay in the owner's column (20 bytes per slot, one typed
 * array), so the index adds 8 bytes per key and no object at all: 100,000 decoys cost
 * a few megabytes instead of a Map entry and a string each.
 * Linear probing at load <= 1/2; deletion shifts the cluster back, so there are no tombstones.
 */
export class Key20Slots {
  readonly #keys: () => Uint8Array;
  /** slot + 1 per bucket; 0 = empty. */
  #buckets = new Int32Array(16);
  #count = 0;

  /** `keys()` returns the owner's current key column: slot s's key is bytes [20s, 20s + 20). */
  constructor(keys: () => Uint8Array) {
    this.#keys = keys;
  }

  get size(): number { return this.#count; }

  /** The slot whose key equals key[at, at + 20), or -1. */
  find(key: Uint8Array, at = 0): number {
    const b = this.#buckets;
    const mask = b.length - 1;
    const keys = this.#keys();
    for (let i = hash20(key, at) & mask; ; i = (i + 1) & mask) {
      const v = b[i]!;
      if (v === 0) return -1;
      if (equal20(keys, (v - 1) * 20, key, at)) return v - 1;
    }
  }

  /** Indexes `slot`, whose key the owner has already written; the key must not be indexed yet. */
  insert(slot: number): void {
    if (2 * (this.#count + 1) > this.#buckets.length) this.#grow();
    this.#place(slot, this.#buckets);
    this.#count++;
  }

  /** Unindexes `slot` (its key must still be in the column); false if it was not indexed. */
  delete(slot: number): boolean {
    const b = this.#buckets;
    const mask = b.length - 1;
    const keys = this.#keys();
    let i = hash20(keys, slot * 20) & mask;
    for (; b[i] !== slot + 1; i = (i + 1) & mask) if (b[i] === 0) return false;
    // Backward shift: move later members of the cluster into the hole unless that would put them before their home bucket.
    for (let j = (i + 1) & mask; b[j] !== 0; j = (j + 1) & mask) {
      const home = hash20(keys, (b[j]! - 1) * 20) & mask;
      if (((j - home) & mask) >= ((j - i) & mask)) { b[i] = b[j]!; i = j; }
    }
    b[i] = 0;
    this.#count--;
    return true;
  }

  #place(slot: number, b: Int32Array): void {
    const mask = b.length - 1;
    let i = hash20(this.#keys(), slot * 20) & mask;
    while (b[i] !== 0) i = (i + 1) & mask;
    b[i] = slot + 1;
  }

  #grow(): void {
    const old = this.#buckets;
    const b = new Int32Array(old.length * 2);
    for (const v of old) if (v !== 0) this.#place(v - 1, b);
    this.#buckets = b;
  }
}

/** Mixes all 20 bytes: keys are SHA-1 outputs in practice, but tests and callers may pass regular ones. */
function hash20(k: Uint8Array, at: number): number {
  let h = 0x9e3779b9;
  for (let i = at; i < at + 20; i += 4) {
    h = Math.imul(h ^ (k[i]! | (k[i + 1]! << 8) | (k[i + 2]! << 16) | (k[i + 3]! << 24)), 0x85ebca6b);
    h ^= h >>> 13;
  }
  return (h ^ (h >>> 16)) >>> 0;
}

function equal20(a: Uint8Array, ai: number, b: Uint8Array, bi: number): boolean {
  for (let i = 0; i < 20; i++) if (a[ai + i] !== b[bi + i]) return false;
  return true;
}

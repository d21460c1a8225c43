/**
 * A read-only set of decoy ids kept as one ascending Float64Array: 8 bytes an id, where a Set of
 * numbers costs ~21 (issue 10 item 5: a running node reads every active decoy's id each campaign
 * tick, 1,000,000 of them). Membership is a binary search.
 */
export class SortedIds implements Iterable<number> {
  readonly #ids: Float64Array;

  /** `ids` ascending and without repeats (sorted and deduplicated here if not). */
  constructor(ids: Float64Array) {
    let ok = true;
    for (let i = 1; i < ids.length && ok; i++) ok = ids[i - 1]! < ids[i]!;
    if (ok) { this.#ids = ids; return; }
    const s = Float64Array.from(ids).sort();
    let n = 0;
    for (let i = 0; i < s.length; i++) if (n === 0 || s[n - 1] !== s[i]) s[n++] = s[i]!;
    this.#ids = s.subarray(0, n);
  }

  /** Collects ids from a source (ascending in practice: SQLite's index order), growing by doubling. */
  static collect(source: Iterable<number>): SortedIds {
    let a = new Float64Array(1024);
    let n = 0;
    for (const id of source) {
      if (n === a.length) { const b = new Float64Array(n * 2); b.set(a); a = b; }
      a[n++] = id;
    }
    return new SortedIds(a.slice(0, n));
  }

  get size(): number { return this.#ids.length; }

  has(id: number): boolean {
    const a = this.#ids;
    let lo = 0, hi = a.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = a[mid]!;
      if (v === id) return true;
      if (v < id) lo = mid + 1; else hi = mid - 1;
    }
    return false;
  }

  [Symbol.iterator](): Iterator<number> { return this.#ids[Symbol.iterator](); }
}

/**
 * Binary min-heap of slot numbers ordered by the owner's `due` column: the DueHeap of
 * tracker/client without one object per item. Each slot's heap position is kept in a
 * typed array so that removal is O(log n) too; 8 bytes per slot in all.
 */
export class SlotHeap {
  readonly #due: () => Float64Array;
  #a = new Int32Array(0);
  #n = 0;
  /** Heap position + 1 per slot, 0 when not in the heap (zeroed memory needs no fill, so unused capacity stays untouched). */
  #pos = new Int32Array(0);

  /** `due()` returns the owner's current due column (slot -> time). */
  constructor(due: () => Float64Array) {
    this.#due = due;
  }

  get size(): number { return this.#n; }

  /** Makes room for slots [0, slots). */
  reserve(slots: number): void {
    if (slots <= this.#pos.length) return;
    const pos = new Int32Array(slots);
    pos.set(this.#pos);
    this.#pos = pos;
    const a = new Int32Array(slots);
    a.set(this.#a.subarray(0, this.#n));
    this.#a = a;
  }

  has(slot: number): boolean { return slot < this.#pos.length && this.#pos[slot]! > 0; }

  /** The slot due first, or -1. */
  peek(): number { return this.#n > 0 ? this.#a[0]! : -1; }

  push(slot: number): void {
    if (this.has(slot)) throw new Error('slot is already in the heap');
    if (slot >= this.#pos.length) throw new RangeError(`slot ${slot} beyond reserve()`);
    const i = this.#n++;
    this.#a[i] = slot;
    this.#pos[slot] = i + 1;
    this.#up(i);
  }

  pop(): number {
    const top = this.peek();
    if (top >= 0) this.remove(top);
    return top;
  }

  remove(slot: number): void {
    if (!this.has(slot)) return;
    const i = this.#pos[slot]! - 1;
    const last = this.#a[--this.#n]!;
    this.#pos[slot] = 0;
    if (last === slot) return;
    this.#a[i] = last;
    this.#pos[last] = i + 1;
    this.#down(i);
    this.#up(this.#pos[last]! - 1);
  }

  #up(i: number): void {
    const a = this.#a;
    const due = this.#due();
    const x = a[i]!;
    const dx = due[x]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = a[p]!;
      if (due[parent]! <= dx) break;
      a[i] = parent; this.#pos[parent] = i + 1;
      i = p;
    }
    a[i] = x; this.#pos[x] = i + 1;
  }

  #down(i: number): void {
    const a = this.#a;
    const due = this.#due();
    const n = this.#n;
    const x = a[i]!;
    const dx = due[x]!;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && due[a[c + 1]!]! < due[a[c]!]!) c++;
      const child = a[c]!;
      if (due[child]! >= dx) break;
      a[i] = child; this.#pos[child] = i + 1;
      i = c;
    }
    a[i] = x; this.#pos[x] = i + 1;
  }
}

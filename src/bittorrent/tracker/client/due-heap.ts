/**
 * Binary min-heap on `due`, with each item remembering its slot so that
 * removal is O(log n) too. One heap replaces per-torrent timers.
 */
export interface HeapItem {
  due: number;
  /** Position in the heap, -1 when not in it. Owned by the heap. */
  heapIndex: number;
}

export class DueHeap<T extends HeapItem> {
  readonly #a: T[] = [];

  get size(): number { return this.#a.length; }

  peek(): T | undefined { return this.#a[0]; }

  push(item: T): void {
    if (item.heapIndex >= 0) throw new Error('item is already in the heap');
    item.heapIndex = this.#a.length;
    this.#a.push(item);
    this.#up(item.heapIndex);
  }

  pop(): T | undefined {
    const top = this.#a[0];
    if (top !== undefined) this.remove(top);
    return top;
  }

  remove(item: T): void {
    const i = item.heapIndex;
    if (i < 0 || this.#a[i] !== item) return;
    const last = this.#a.pop()!;
    item.heapIndex = -1;
    if (last === item) return;
    this.#a[i] = last;
    last.heapIndex = i;
    this.#down(i);
    this.#up(last.heapIndex);
  }

  /** Empties the heap, returning its items in no particular order. */
  drain(): T[] {
    const all = this.#a.splice(0);
    for (const x of all) x.heapIndex = -1;
    return all;
  }

  #up(i: number): void {
    const a = this.#a;
    const x = a[i]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = a[p]!;
      if (parent.due <= x.due) break;
      a[i] = parent; parent.heapIndex = i;
      i = p;
    }
    a[i] = x; x.heapIndex = i;
  }

  #down(i: number): void {
    const a = this.#a;
    const n = a.length;
    const x = a[i]!;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && a[c + 1]!.due < a[c]!.due) c++;
      const child = a[c]!;
      if (child.due >= x.due) break;
      a[i] = child; child.heapIndex = i;
      i = c;
    }
    a[i] = x; x.heapIndex = i;
  }
}

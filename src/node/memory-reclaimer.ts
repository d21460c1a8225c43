import { getHeapStatistics } from 'node:v8';
import { compactHeap } from './compact-heap.ts';

export interface MemoryReclaimerInit {
  /** How often the heap is looked at, ms. */
  readonly intervalMs: number;
  /** Growth of V8's committed heap since the last compaction that is worth a compacting GC, bytes. */
  readonly growthBytes: number;
}

export interface MemoryReclaimerComponents {
  /** V8's committed heap plus the ArrayBuffer memory it holds (socket reads, served blocks), bytes. */
  heapSize?(): number;
  /** One memory-reducing full GC; returns its pause in ms. */
  compact?(): number;
  log?(msg: string): void;
}

/**
 * Gives the heap back after a flood (issue 17, defect 10: ~80 MB of RSS stayed after request floods).
 * Measured (bench/hostile.bench.ts, 300 peers each sending 2,000 requests at once): V8's old space
 * went from 6 to ~33 MB and stayed there, nearly all of it garbage: with a 2 MB young generation
 * (bin/counterseed) a burst promotes its short-lived request and write objects, and once the flood
 * is over the node allocates too little to trigger the full GC that would free them. A compacting
 * GC brought the old space back to 6 MB, and freed the ~11 MB of dead ArrayBuffers (socket reads,
 * served blocks) that no GC had collected yet. So: when the committed heap plus its ArrayBuffer
 * memory has grown by `growthBytes`
 * since the last compaction and has stopped growing between two looks (the flood is over, or at a
 * plateau), run one memory-reducing GC (compactHeap; tens of ms on a heap of this size, at most once
 * per interval). What stays above the start-up RSS after that is glibc's brk heap: the 16 KiB blocks
 * served and the socket reads of a flood are malloc'd there, and freed chunks below live ones cannot
 * be given back; the next flood reuses them. Over 8 request floods in a row (bench:hostile --repeat 8)
 * RSS after each was 113-135 MB against 83 MB at ready, the brk heap 6 -> 48 MB (bench/README.md).
 */
export class MemoryReclaimer {
  readonly #i: MemoryReclaimerInit;
  readonly #heapSize: () => number;
  readonly #compact: () => number;
  readonly #log: (msg: string) => void;
  #base: number;
  #last: number;
  #timer: NodeJS.Timeout | undefined;
  compactions = 0;

  constructor(init: MemoryReclaimerInit, c: MemoryReclaimerComponents = {}) {
    this.#i = init;
    this.#heapSize = c.heapSize ?? (() => { const h = getHeapStatistics(); return h.total_heap_size + h.external_memory; });
    this.#compact = c.compact ?? compactHeap;
    this.#log = c.log ?? (() => {});
    this.#base = this.#heapSize();
    this.#last = this.#base;
  }

  start(): void {
    this.#timer ??= setInterval(() => this.check(), this.#i.intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** One look at the heap; returns true if it compacted. */
  check(): boolean {
    const size = this.#heapSize();
    // Settled: grown by less than an eighth of the threshold since the last look (socket buffers drift).
    const settled = size - this.#last < this.#i.growthBytes / 8;
    this.#last = size;
    if (size < this.#base) this.#base = size; // V8 shrank it by itself
    if (!settled || size - this.#base < this.#i.growthBytes) return false;
    const ms = this.#compact();
    this.#base = this.#last = this.#heapSize();
    this.compactions++;
    this.#log(`memory: heap ${(size / 2 ** 20).toFixed(0)} MB after a burst, compacted to ${(this.#base / 2 ** 20).toFixed(0)} MB in ${ms.toFixed(0)} ms`);
    return true;
  }
}

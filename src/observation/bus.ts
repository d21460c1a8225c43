import type { Observation } from '../domain/observation.ts';

/**
 * Bounded hand-off between the network (producers) and the recorder (consumer), like
 * libtorrent's alert queue: producers never block, the queue never grows past `capacity`,
 * and every observation that does not fit is COUNTED, so a loss is never silent.
 */
export class ObservationBus {
  readonly capacity: number;
  #queue: Observation[] = [];
  #dropped = 0;
  /** Drops not yet taken by the recorder (takeDropped), and all drops since the start, by kind. */
  #droppedByKind: Record<string, number> = {};
  readonly #droppedTotalByKind: Record<string, number> = {};
  #onPublish: (() => void) | undefined;

  constructor(init: { capacity: number }) {
    this.capacity = init.capacity;
  }

  publish(o: Observation): boolean {
    if (this.#queue.length >= this.capacity) {
      this.#drop(o);
      return false;
    }
    this.#queue.push(o);
    this.#onPublish?.();
    return true;
  }

  /** Takes up to `max` queued observations, oldest first. */
  drain(max = Infinity): Observation[] {
    if (this.#queue.length <= max) {
      const all = this.#queue;
      this.#queue = [];
      return all;
    }
    return this.#queue.splice(0, max);
  }

  /**
   * Puts a batch back at the front (the store failed to take it), oldest first. The queue stays within
   * capacity: what arrived meanwhile and no longer fits is dropped, newest first, and counted.
   */
  requeue(batch: readonly Observation[]): void {
    const queue = batch.concat(this.#queue);
    for (let i = this.capacity; i < queue.length; i++) this.#drop(queue[i]!);
    if (queue.length > this.capacity) queue.length = this.capacity;
    this.#queue = queue;
  }

  #drop(o: Observation): void {
    this.#dropped++;
    this.#droppedByKind[o.kind] = (this.#droppedByKind[o.kind] ?? 0) + 1;
    this.#droppedTotalByKind[o.kind] = (this.#droppedTotalByKind[o.kind] ?? 0) + 1;
  }

  /** Queued observations by kind (what would be lost if the process ended now). */
  queuedByKind(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const o of this.#queue) out[o.kind] = (out[o.kind] ?? 0) + 1;
    return out;
  }

  /** Returns and resets the drop counts since the last call. */
  takeDropped(): Record<string, number> {
    const d = this.#droppedByKind;
    this.#droppedByKind = {};
    return d;
  }

  get size(): number { return this.#queue.length; }
  get droppedTotal(): number { return this.#dropped; }
  /** Every drop since the start, by kind. */
  get droppedTotalByKind(): Readonly<Record<string, number>> { return this.#droppedTotalByKind; }

  /** One listener (the recorder) may ask to be nudged when something arrives. */
  onPublish(fn: (() => void) | undefined): void { this.#onPublish = fn; }
}

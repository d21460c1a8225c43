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
  #droppedByKind: Record<string, number> = {};
  #onPublish: (() => void) | undefined;

  constructor(init: { capacity: number }) {
    this.capacity = init.capacity;
  }

  publish(o: Observation): boolean {
    if (this.#queue.length >= this.capacity) {
      this.#dropped++;
      this.#droppedByKind[o.kind] = (this.#droppedByKind[o.kind] ?? 0) + 1;
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

  /** Puts a batch back at the front (the store failed to take it). May exceed capacity transiently; never drops. */
  requeue(batch: Observation[]): void {
    this.#queue = batch.concat(this.#queue);
  }

  /** Returns and resets the drop counts since the last call. */
  takeDropped(): Record<string, number> {
    const d = this.#droppedByKind;
    this.#droppedByKind = {};
    return d;
  }

  get size(): number { return this.#queue.length; }
  get droppedTotal(): number { return this.#dropped; }

  /** One listener (the recorder) may ask to be nudged when something arrives. */
  onPublish(fn: (() => void) | undefined): void { this.#onPublish = fn; }
}

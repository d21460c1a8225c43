import type { EvidenceStore } from '../store/evidence-store.ts';
import type { Observation } from '../domain/observation.ts';
import type { ObservationBus } from './bus.ts';

export interface RecorderInit {
  flushIntervalMs: number;
  /** Largest batch written in one transaction. */
  maxBatch?: number;
}
export interface RecorderComponents {
  bus: ObservationBus;
  store: EvidenceStore;
  log?: (msg: string) => void;
}

/**
 * Moves observations from the bus into the store in batches (one transaction each).
 * A failed write puts the batch back; `stop()` writes everything still queued.
 */
export class ObservationRecorder {
  readonly #c: RecorderComponents;
  readonly #init: Required<RecorderInit>;
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | undefined;
  #written = 0;

  constructor(components: RecorderComponents, init: RecorderInit) {
    this.#c = components;
    this.#init = { maxBatch: 5000, ...init };
  }

  start(): void {
    this.#timer = setInterval(() => { void this.flush().catch((e) => this.#c.log?.(`observation flush failed, will retry: ${(e as Error).message}`)); }, this.#init.flushIntervalMs);
    this.#timer.unref();
  }

  /** Writes everything queued now. Concurrent calls share one flush. */
  flush(): Promise<void> {
    this.#flushing ??= this.#flushAll().finally(() => { this.#flushing = undefined; });
    return this.#flushing;
  }

  async #flushAll(): Promise<void> {
    const { bus, store } = this.#c;
    // Bounded: at most the queue length at entry, plus what arrives meanwhile, in maxBatch steps.
    for (let rounds = Math.ceil(bus.size / this.#init.maxBatch) + 1; rounds > 0 && bus.size > 0; rounds--) {
      const batch = bus.drain(this.#init.maxBatch);
      try {
        await store.appendObservations(batch);
        this.#written += batch.length;
      } catch (batchError) {
        await this.#oneByOne(batch, batchError as Error);
      }
    }
    for (const [kind, n] of Object.entries(bus.takeDropped())) await store.addToCounter(`observations.dropped.${kind}`, n);
  }

  /**
   * A batch failed: write its observations one at a time so one bad record cannot block the
   * others forever; a record the store refuses on its own is quarantined verbatim and counted.
   * If even that fails (disk full, store gone), the rest goes back on the bus, in order.
   */
  async #oneByOne(batch: Observation[], batchError: Error): Promise<void> {
    const { bus, store } = this.#c;
    for (let i = 0; i < batch.length; i++) {
      const o = batch[i]!;
      try {
        await store.appendObservations([o]);
        this.#written++;
      } catch (e) {
        try {
          await store.quarantineObservation(o, (e as Error).message);
          await store.addToCounter(`observations.quarantined.${o.kind}`, 1);
          this.#c.log?.(`observation quarantined (${o.kind}): ${(e as Error).message}`);
        } catch {
          bus.requeue(batch.slice(i));
          throw batchError;
        }
      }
    }
  }

  get written(): number { return this.#written; }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    // Keep flushing until the bus is empty (producers are stopped before the recorder).
    for (let i = 0; i < 100 && this.#c.bus.size > 0; i++) await this.flush();
    await this.flush();
  }
}

import type { AggregateObservation, AggregatedKind, Observation } from '../domain/observation.ts';
import { sourcePrefix } from './source-prefix.ts';

export interface FloodGateInit {
  /** Events of this producer recorded one by one per UTC second; the rest are aggregated. */
  readonly perSecond: number;
  /** Of those, at most this many from one source /24 or /48 per second. */
  readonly perSourcePerSecond: number;
  /** Aggregate buckets (and per-source counters) held open at once: the gate's memory bound. */
  readonly maxOpenBuckets: number;
}

/** What a component uses when its caller gives no budget (the settings table's defaults: observation.*). */
export const DEFAULT_FLOOD_GATE: FloodGateInit = { perSecond: 200, perSourcePerSecond: 50, maxOpenBuckets: 4096 };

export interface FloodGateComponents {
  publish(o: Observation): void;
  now(): number;
}

export interface FloodGateStats {
  /** Events recorded one by one. */
  recorded: number;
  /** Events counted in aggregates (flushed or still open). */
  aggregated: number;
  /** Aggregate records published. */
  aggregateRecords: number;
}

interface Bucket {
  readonly second: number;
  readonly observed: AggregatedKind;
  readonly cause: AggregateObservation['cause'];
  readonly reason: string;
  readonly network: string;
  readonly prefixLength: number;
  count: number;
}

/** Extra buckets the /0 overflow buckets may add beyond maxOpenBuckets before the oldest is flushed early. */
const OVERFLOW_SLACK = 64;

/**
 * Decides, for one producer (a seeder's rejections, a DHT node's sightings, the tracker's announces),
 * which events are recorded one by one and which are counted (issue 17, item 4: nothing silently
 * lost). Within the per-second budget, overall and per source prefix, an event is published as is;
 * beyond it, it is added to an aggregate bucket (kind, cause, reason, source /24 or /48, UTC second).
 * A bucket is published as an AggregateObservation once its second is over, so recorded events plus
 * aggregate counts always equal the events offered. Memory is bounded: at most maxOpenBuckets
 * buckets; sources beyond that share a /0 overflow bucket, and if even those run out the oldest
 * bucket is published early (a later event starts a new one: counts stay exact).
 */
export class FloodGate {
  readonly #i: FloodGateInit;
  readonly #c: FloodGateComponents;
  readonly #buckets = new Map<string, Bucket>();
  /** Individual records per source network in #second. */
  readonly #perSource = new Map<string, number>();
  #second = -1;
  #inSecond = 0;
  #latest = -1;
  #timer: NodeJS.Timeout | undefined;
  readonly stats: FloodGateStats = { recorded: 0, aggregated: 0, aggregateRecords: 0 };

  constructor(init: FloodGateInit, components: FloodGateComponents) {
    this.#i = init;
    this.#c = components;
  }

  /**
   * Publishes `o` if the budget allows, else counts it under `reason` (its rejection reason, DHT
   * source or tracker protocol). Returns true when it was recorded one by one.
   */
  offer(o: Observation & { readonly kind: AggregatedKind; readonly at: number; readonly remoteIp: string }, reason: string): boolean {
    const second = Math.floor(o.at / 1000);
    if (second > this.#second) { this.#second = second; this.#inSecond = 0; this.#perSource.clear(); }
    const { network } = sourcePrefix(o.remoteIp);
    const fromSource = this.#perSource.get(network);
    const sourceKnown = fromSource !== undefined || this.#perSource.size < this.#i.maxOpenBuckets;
    if (this.#inSecond < this.#i.perSecond && sourceKnown && (fromSource ?? 0) < this.#i.perSourcePerSecond) {
      this.#inSecond++;
      this.#perSource.set(network, (fromSource ?? 0) + 1);
      this.stats.recorded++;
      this.#c.publish(o);
      return true;
    }
    this.count(o.kind, 'rate-cap', reason, o.remoteIp, o.at);
    return false;
  }

  /** Counts one event in its aggregate bucket (always: announces for unknown infohashes come here directly). */
  count(observed: AggregatedKind, cause: AggregateObservation['cause'], reason: string, ip: string, at: number): void {
    const second = Math.floor(at / 1000);
    if (second > this.#latest) {
      if (this.#latest >= 0) this.#flushBefore(second);
      this.#latest = second;
    }
    let { network, length } = sourcePrefix(ip);
    let key = `${second}|${observed}|${cause}|${reason}|${network}`;
    if (!this.#buckets.has(key) && this.#buckets.size >= this.#i.maxOpenBuckets) {
      network = length === 48 || network.includes(':') ? '::' : '0.0.0.0';
      length = 0;
      key = `${second}|${observed}|${cause}|${reason}|${network}/0`;
      if (!this.#buckets.has(key) && this.#buckets.size >= this.#i.maxOpenBuckets + OVERFLOW_SLACK) this.#publish(this.#buckets.keys().next().value!);
    }
    const b = this.#buckets.get(key);
    if (b) b.count++;
    else this.#buckets.set(key, { second, observed, cause, reason, network, prefixLength: length, count: 1 });
    this.stats.aggregated++;
    this.#arm();
  }

  /** Publishes every bucket whose second is over. */
  flushClosed(): void {
    this.#flushBefore(Math.floor(this.#c.now() / 1000));
  }

  /** Publishes every open bucket (at stop). */
  flush(): void {
    for (const key of [...this.#buckets.keys()]) this.#publish(key);
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  get openBuckets(): number { return this.#buckets.size; }

  #flushBefore(second: number): void {
    for (const [key, b] of this.#buckets) if (b.second < second) this.#publish(key);
  }

  #publish(key: string): void {
    const b = this.#buckets.get(key)!;
    this.#buckets.delete(key);
    this.stats.aggregateRecords++;
    this.#c.publish({
      kind: 'aggregate', at: b.second * 1000, observed: b.observed, cause: b.cause, reason: b.reason,
      network: b.network, prefixLength: b.prefixLength, count: b.count,
    });
  }

  /** One timer per gate: buckets are published shortly after their second ends even if no event follows. */
  #arm(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.flushClosed();
      if (this.#buckets.size > 0) this.#arm();
    }, 1000 - (this.#c.now() % 1000) + 50);
    this.#timer.unref();
  }
}

import { DueHeap } from '../tracker/client/due-heap.ts';
import { COMPACT_NODE, decodeNodes, encodeNodes, type NodeAddress, type NodeInfo } from './compact.ts';
import { lookup, type LookupPort, type Responder } from './lookup.ts';
import type { NodeId } from './node-id.ts';
import { K, type RoutingEntry } from './routing-table.ts';

export interface DhtAnnouncerInit {
  /** Every active decoy is announced once per cycle (default 30 min). */
  cycleMs?: number;
  /** Each re-announce lands within ±jitter of the cycle (fraction, default 0.1), so a cycle never becomes a storm. */
  jitter?: number;
  /** Announces in progress at once; the node's rate limits pace the queries themselves. */
  concurrency?: number;
  /** Tokens older than this are not reused (BEP 5: nodes accept tokens up to ~10 minutes old). */
  tokenTtlMs?: number;
  /** TCP port announced (BEP 5 announce_peer `port`). */
  peerPort: number;
}

export interface DhtAnnouncerComponents {
  node: LookupPort & {
    readonly table: { closest(target: NodeId, count?: number): RoutingEntry[] };
    recordPresence(source: 'dht-peer-list', infoHash: string, decoyId: number | null, who: NodeAddress, now: number): void;
  };
  /** Our own addresses, never recorded as swarm presence. */
  self: NodeAddress;
  now(): number;
  log?(msg: string): void;
}

interface Item {
  readonly hex: string;
  readonly decoyId: number;
  due: number;
  heapIndex: number;
  /** The k closest nodes of the last announce, compact (26 bytes each): re-announces skip the full lookup. */
  closest: Uint8Array | null;
  /** Their tokens, kept only while younger than tokenTtlMs (null otherwise: memory stays ~250 B per decoy). */
  tokens: (Uint8Array | undefined)[] | null;
  announcedAt: number;
}

export interface AnnouncerStats {
  announces: number;
  fullLookups: number;
  cachedLookups: number;
  tokenReuses: number;
  queries: number;
  failures: number;
}

/**
 * Announces every active decoy to the DHT once per cycle with ONE timer and a due-heap: no
 * per-torrent timers. Never-announced decoys sort before every re-announce, newest first.
 */
export class DhtAnnounceScheduler {
  readonly stats: AnnouncerStats = { announces: 0, fullLookups: 0, cachedLookups: 0, tokenReuses: 0, queries: 0, failures: 0 };
  readonly #i: Required<DhtAnnouncerInit>;
  readonly #c: DhtAnnouncerComponents;
  readonly #heap = new DueHeap<Item>();
  readonly #items = new Map<string, Item>();
  readonly #stop = new AbortController();
  #running = 0;
  #timer: NodeJS.Timeout | undefined;
  #started = false;
  #newSeq = 0;
  #neverAnnounced = 0;
  #idleWaiters: (() => void)[] = [];

  constructor(init: DhtAnnouncerInit, components: DhtAnnouncerComponents) {
    this.#i = { cycleMs: 30 * 60_000, jitter: 0.1, concurrency: 32, tokenTtlMs: 4 * 60_000, ...init };
    this.#c = components;
  }

  get scheduled(): number { return this.#items.size; }
  get inProgress(): number { return this.#running; }

  /** Schedules a decoy; a new one goes before every re-announce (newest first). */
  add(infoHashHex: string, decoyId: number): void {
    if (this.#items.has(infoHashHex)) return;
    // Negative dues sort before any clock time: never-announced decoys run first, the newest first.
    const item: Item = { hex: infoHashHex, decoyId, due: -1 - this.#newSeq++, heapIndex: -1, closest: null, tokens: null, announcedAt: 0 };
    this.#items.set(infoHashHex, item);
    this.#heap.push(item);
    this.#neverAnnounced++;
    if (this.#started) this.#kick();
  }

  remove(infoHashHex: string): void {
    const item = this.#items.get(infoHashHex);
    if (!item) return;
    this.#items.delete(infoHashHex);
    this.#heap.remove(item);
    if (item.announcedAt === 0) this.#settle(1);
  }

  start(): void {
    this.#started = true;
    this.#kick();
  }

  async stop(): Promise<void> {
    this.#started = false;
    this.#stop.abort();
    if (this.#timer) clearTimeout(this.#timer);
  }

  /** Resolves once every decoy scheduled so far has been announced at least once. */
  whenAllAnnounced(o: { signal?: AbortSignal } = {}): Promise<void> {
    if (this.#neverAnnounced === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onAbort = () => reject(o.signal?.reason ?? new Error('aborted'));
      o.signal?.addEventListener('abort', onAbort, { once: true });
      this.#idleWaiters.push(() => { o.signal?.removeEventListener('abort', onAbort); resolve(); });
    });
  }

  #settle(n: number): void {
    this.#neverAnnounced -= n;
    if (this.#neverAnnounced === 0) for (const w of this.#idleWaiters.splice(0)) w();
  }

  #kick(): void {
    if (this.#timer) { clearTimeout(this.#timer); this.#timer = undefined; }
    const now = this.#c.now();
    while (this.#started && this.#running < this.#i.concurrency) {
      const top = this.#heap.peek();
      if (!top || top.due > now) break;
      this.#heap.pop();
      this.#running++;
      void this.#announce(top).finally(() => { this.#running--; if (this.#started) this.#kick(); });
    }
    const top = this.#heap.peek();
    if (this.#started && top && this.#running < this.#i.concurrency) {
      // Capped so that a clock jump does not leave the scheduler asleep for a whole cycle.
      this.#timer = setTimeout(() => { this.#timer = undefined; this.#kick(); }, Math.min(60_000, Math.max(1, top.due - now)));
    }
  }

  async #announce(item: Item): Promise<void> {
    const signal = this.#stop.signal;
    const target = Buffer.from(item.hex, 'hex');
    const now = this.#c.now();
    let closest: readonly Responder[];
    let peers: readonly NodeAddress[] = [];
    try {
      const cached = item.closest ? decodeNodes(item.closest, K) : [];
      if (item.tokens && now - item.announcedAt < this.#i.tokenTtlMs) {
        this.stats.tokenReuses++;
        closest = cached.map((node, i) => ({ node, ...(item.tokens![i] ? { token: item.tokens![i] } : {}) }));
      } else {
        let r = cached.length > 0 ? await lookup(this.#c.node, target, 'get_peers', { seeds: cached, seedsOnly: true, signal }) : undefined;
        if (r && r.closest.length >= Math.ceil(cached.length / 2)) this.stats.cachedLookups++;
        else {
          const seeds: NodeInfo[] = [...this.#c.node.table.closest(target, K * 2), ...(r?.closest.map((x) => x.node) ?? [])];
          const full = await lookup(this.#c.node, target, 'get_peers', { seeds, signal });
          this.stats.fullLookups++;
          this.stats.queries += r?.queries ?? 0;
          r = full;
        }
        this.stats.queries += r.queries;
        closest = r.closest;
        peers = r.peers;
      }
      const acked = await this.#announceTo(target, closest, signal);
      this.#recordPeers(item, peers);
      item.closest = acked.length > 0 ? encodeNodes(acked.map((x) => x.node)) : closest.length > 0 ? encodeNodes(closest.map((x) => x.node)) : null;
      item.tokens = this.#i.cycleMs < this.#i.tokenTtlMs ? acked.map((x) => x.token) : null;
      if (acked.length === 0) this.stats.failures++;
      this.stats.announces++;
    } catch (e) {
      this.stats.failures++;
      this.#c.log?.(`dht announce ${item.hex}: ${(e as Error).message}`);
    }
    if (!this.#items.has(item.hex)) return;
    const first = item.announcedAt === 0;
    item.announcedAt = this.#c.now();
    const j = this.#i.jitter;
    item.due = item.announcedAt + this.#i.cycleMs * (1 - j + 2 * j * Math.random());
    this.#heap.push(item);
    if (first) this.#settle(1);
  }

  /** announce_peer to every responder that gave a token; returns those that acknowledged. */
  async #announceTo(target: Uint8Array, closest: readonly Responder[], signal: AbortSignal): Promise<Responder[]> {
    const results = await Promise.all(closest.map(async (x) => {
      if (!x.token) return undefined;
      try {
        await this.#c.node.query(x.node, 'announce_peer', { infoHash: target, port: this.#i.peerPort, token: x.token, impliedPort: false }, { signal });
        this.stats.queries++;
        return x;
      } catch { this.stats.queries++; return undefined; }
    }));
    return results.filter((x): x is Responder => x !== undefined);
  }

  #recordPeers(item: Item, peers: readonly NodeAddress[]): void {
    const now = this.#c.now();
    for (const p of peers) {
      if (p.ip === this.#c.self.ip && p.port === this.#i.peerPort) continue;
      this.#c.node.recordPresence('dht-peer-list', item.hex, item.decoyId, p, now);
    }
  }
}

export const CACHE_BYTES_PER_DECOY = K * COMPACT_NODE;

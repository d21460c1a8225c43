import { grown, infoHashKey } from '../columns/grow.ts';
import { Key20Slots } from '../columns/key20-slots.ts';
import { ClosestCache } from './closest-cache.ts';
import type { IpFamily } from '../../domain/ip-address.ts';
import { COMPACT_PEER, type NodeAddress, type NodeInfo } from './compact.ts';
import { lookup, type LookupPort, type Responder } from './lookup.ts';
import type { NodeId } from './node-id.ts';
import { K, type RoutingEntry } from './routing-table.ts';
import { SlotHeap } from './slot-heap.ts';

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
    /** IPv4 or IPv6 (BEP 32): the family of the nodes cached per decoy; default 4. */
    readonly family?: IpFamily;
    readonly table: { closest(target: NodeId, count?: number): RoutingEntry[] };
    recordPresence(source: 'dht-peer-list', infoHash: string, decoyId: number | null, who: NodeAddress, now: number): void;
  };
  /** Our own addresses, never recorded as swarm presence. */
  self: NodeAddress;
  now(): number;
  log?(msg: string): void;
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
 * Decoys are slots in typed-array columns (infohash, decoy id, due, last announce), ~60 bytes
 * each and no object per decoy; the closest nodes of an announce are cached in chunks.
 */
export class DhtAnnounceScheduler {
  readonly stats: AnnouncerStats = { announces: 0, fullLookups: 0, cachedLookups: 0, tokenReuses: 0, queries: 0, failures: 0 };
  readonly #i: Required<DhtAnnouncerInit>;
  readonly #c: DhtAnnouncerComponents;
  readonly #stop = new AbortController();
  #cap = 0;
  #used = 0;
  readonly #free: number[] = [];
  #hash = Buffer.alloc(0);
  /** Scratch for a looked-up infohash (no allocation per decoy). */
  readonly #key = Buffer.alloc(20);
  #decoyId = new Float64Array(0);
  /** When the slot is next announced; negative = never announced (more negative = added later). */
  #due = new Float64Array(0);
  /** Last announce (0 = never). */
  #announcedAt = new Float64Array(0);
  readonly #bySlot = new Key20Slots(() => this.#hash);
  readonly #heap = new SlotHeap(() => this.#due);
  readonly #closest: ClosestCache;
  readonly #family: IpFamily;
  /**
   * Stands for a cached node's id until it answers (lookup.ts keys nodes by id and address, and skips
   * our own id): our id with every bit flipped, which no lookup mistakes for us.
   */
  readonly #unknownId: NodeId;
  /** Tokens of the last announce, kept only when a cycle is shorter than their TTL (tests, short cycles). */
  readonly #tokens = new Map<number, (Uint8Array | undefined)[]>();
  #running = 0;
  #timer: NodeJS.Timeout | undefined;
  #started = false;
  #kickQueued = false;
  #newSeq = 0;
  #neverAnnounced = 0;
  #idleWaiters: (() => void)[] = [];

  constructor(init: DhtAnnouncerInit, components: DhtAnnouncerComponents) {
    this.#i = { cycleMs: 30 * 60_000, jitter: 0.1, concurrency: 32, tokenTtlMs: 4 * 60_000, ...init };
    this.#c = components;
    this.#family = components.node.family ?? 4;
    this.#closest = new ClosestCache(this.#family);
    this.#unknownId = components.node.id.map((b) => b ^ 0xff);
  }

  get scheduled(): number { return this.#bySlot.size; }
  get inProgress(): number { return this.#running; }

  /** Schedules a decoy; a new one goes before every re-announce (newest first). */
  add(infoHashHex: string, decoyId: number): void {
    const ih = this.#keyOf(infoHashHex);
    if (this.#bySlot.find(ih) >= 0) return;
    const s = this.#free.pop() ?? this.#nextSlot();
    this.#hash.set(ih, s * 20);
    this.#decoyId[s] = decoyId;
    // Negative dues sort before any clock time: never-announced decoys run first, the newest first.
    this.#due[s] = -1 - this.#newSeq++;
    this.#announcedAt[s] = 0;
    this.#closest.set(s, null);
    this.#tokens.delete(s);
    this.#bySlot.insert(s);
    this.#heap.push(s);
    this.#neverAnnounced++;
    if (this.#started) this.#kickSoon();
  }

  remove(infoHashHex: string): void {
    const s = this.#bySlot.find(this.#keyOf(infoHashHex));
    if (s < 0) return;
    this.#bySlot.delete(s);
    this.#heap.remove(s);
    this.#free.push(s);
    if (this.#announcedAt[s] === 0) this.#settle(1);
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

  #keyOf(infoHashHex: string): Buffer {
    return infoHashKey(infoHashHex, this.#key);
  }

  /** Makes room for `n` decoys at once (a node knows how many it loads): no growth copies, no slack. */
  reserve(n: number): void {
    if (n > this.#cap) this.#growTo(n);
  }

  #nextSlot(): number {
    // x1.5 keeps the slack small at 100,000 decoys.
    if (this.#used === this.#cap) this.#growTo(this.#cap === 0 ? 1024 : Math.ceil(this.#cap * 1.5));
    return this.#used++;
  }

  #growTo(cap: number): void {
    this.#hash = grown(this.#hash, Buffer.alloc(cap * 20));
    this.#decoyId = grown(this.#decoyId, new Float64Array(cap));
    this.#due = grown(this.#due, new Float64Array(cap));
    this.#announcedAt = grown(this.#announcedAt, new Float64Array(cap));
    this.#heap.reserve(cap);
    this.#closest.reserve(cap);
    this.#cap = cap;
  }

  #settle(n: number): void {
    this.#neverAnnounced -= n;
    if (this.#neverAnnounced === 0) for (const w of this.#idleWaiters.splice(0)) w();
  }

  /** One kick after a burst of adds (100,000 at start-up), not one timer per add. */
  #kickSoon(): void {
    if (this.#kickQueued) return;
    this.#kickQueued = true;
    queueMicrotask(() => { this.#kickQueued = false; if (this.#started) this.#kick(); });
  }

  #kick(): void {
    if (this.#timer) { clearTimeout(this.#timer); this.#timer = undefined; }
    const now = this.#c.now();
    while (this.#started && this.#running < this.#i.concurrency) {
      const top = this.#heap.peek();
      if (top < 0 || this.#due[top]! > now) break;
      this.#heap.pop();
      this.#running++;
      void this.#announce(top).finally(() => { this.#running--; if (this.#started) this.#kick(); });
    }
    const top = this.#heap.peek();
    if (this.#started && top >= 0 && this.#running < this.#i.concurrency) {
      // Capped so that a clock jump does not leave the scheduler asleep for a whole cycle.
      this.#timer = setTimeout(() => { this.#timer = undefined; this.#kick(); }, Math.min(60_000, Math.max(1, this.#due[top]! - now)));
    }
  }

  async #announce(slot: number): Promise<void> {
    const signal = this.#stop.signal;
    const target = new Uint8Array(this.#hash.subarray(slot * 20, slot * 20 + 20));
    const hex = this.#hash.toString('hex', slot * 20, slot * 20 + 20);
    const decoyId = this.#decoyId[slot]!;
    const cachedNodes = this.#closest.get(slot);
    const cachedTokens = this.#tokens.get(slot);
    const lastAt = this.#announcedAt[slot]!;
    const now = this.#c.now();
    let closest: readonly Responder[];
    let peers: readonly NodeAddress[] = [];
    let result: { closest: NodeAddress[]; tokens: (Uint8Array | undefined)[] | null } | undefined;
    try {
      // The cache keeps addresses only: a node's id comes back in its answer (a stand-in until then).
      const cached: NodeInfo[] = cachedNodes?.map((a) => ({ id: this.#unknownId, ...a })) ?? [];
      if (cachedTokens && now - lastAt < this.#i.tokenTtlMs) {
        this.stats.tokenReuses++;
        closest = cached.map((node, i) => ({ node, ...(cachedTokens[i] ? { token: cachedTokens[i] } : {}) }));
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
      this.#recordPeers(hex, decoyId, peers);
      result = {
        closest: (acked.length > 0 ? acked : closest).slice(0, K).map((x) => x.node),
        tokens: this.#i.cycleMs < this.#i.tokenTtlMs ? acked.slice(0, K).map((x) => x.token) : null,
      };
      if (acked.length === 0) this.stats.failures++;
      this.stats.announces++;
    } catch (e) {
      this.stats.failures++;
      this.#c.log?.(`dht announce ${hex}: ${(e as Error).message}`);
    }
    // Removed meanwhile (its slot may even hold another decoy now, or the same one scheduled afresh): nothing to reschedule.
    if (this.#bySlot.find(target) !== slot || this.#heap.has(slot)) return;
    if (result) {
      this.#closest.set(slot, result.closest);
      if (result.tokens) this.#tokens.set(slot, result.tokens); else this.#tokens.delete(slot);
    }
    const first = this.#announcedAt[slot] === 0;
    this.#announcedAt[slot] = this.#c.now();
    const j = this.#i.jitter;
    this.#due[slot] = this.#announcedAt[slot]! + this.#i.cycleMs * (1 - j + 2 * j * Math.random());
    this.#heap.push(slot);
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

  #recordPeers(hex: string, decoyId: number, peers: readonly NodeAddress[]): void {
    const now = this.#c.now();
    for (const p of peers) {
      if (p.ip === this.#c.self.ip && p.port === this.#i.peerPort) continue;
      this.#c.node.recordPresence('dht-peer-list', hex, decoyId, p, now);
    }
  }
}

/** Per decoy and IPv4 node (an IPv6 node's cache holds 18-byte entries, BEP 32). */
export const CACHE_BYTES_PER_DECOY = K * COMPACT_PEER;

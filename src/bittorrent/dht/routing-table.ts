import type { NodeInfo } from './compact.ts';
import { commonPrefixBits, compareDistance, ID_LENGTH, type NodeId } from './node-id.ts';

/** BEP 5: k = 8 nodes per bucket. */
export const K = 8;
/** A node that failed this many queries in a row is bad and may be replaced (BEP 5 "bad nodes"). */
const MAX_FAILURES = 2;

export interface RoutingEntry extends NodeInfo {
  lastSeen: number;
  failures: number;
}

/**
 * Bucket i holds nodes whose id shares exactly i leading bits with ours: the fully split
 * table of BEP 5, so it holds at most 161 * K nodes whatever the peers send.
 * Old good nodes are kept over new ones (BEP 5: "good nodes are never removed").
 */
export class RoutingTable {
  readonly #self: NodeId;
  readonly #buckets: RoutingEntry[][] = Array.from({ length: ID_LENGTH * 8 + 1 }, () => []);
  readonly #staleMs: number;
  #size = 0;

  constructor(self: NodeId, o: { staleMs?: number } = {}) {
    this.#self = self;
    // BEP 5: a node not heard from in 15 minutes is questionable.
    this.#staleMs = o.staleMs ?? 15 * 60_000;
  }

  get size(): number { return this.#size; }

  /** Records a node that answered us or queried us; returns whether it is in the table. */
  seen(n: NodeInfo, now: number): boolean {
    if (sameId(n.id, this.#self)) return false;
    const bucket = this.#buckets[commonPrefixBits(this.#self, n.id)]!;
    const existing = bucket.find((e) => sameId(e.id, n.id));
    if (existing) {
      // A node id that moved to a new address is treated as a new node only if the old one went bad.
      if (existing.ip !== n.ip || existing.port !== n.port) return false;
      existing.lastSeen = now;
      existing.failures = 0;
      return true;
    }
    const entry: RoutingEntry = { id: n.id, ip: n.ip, port: n.port, lastSeen: now, failures: 0 };
    if (bucket.length < K) { bucket.push(entry); this.#size++; return true; }
    const victim = bucket.findIndex((e) => e.failures >= MAX_FAILURES || now - e.lastSeen > this.#staleMs * 2);
    if (victim < 0) return false;
    bucket[victim] = entry;
    return true;
  }

  /** A query to this node timed out. */
  failed(id: NodeId): void {
    const e = this.#buckets[commonPrefixBits(this.#self, id)]!.find((x) => sameId(x.id, id));
    if (e) e.failures++;
  }

  remove(id: NodeId): void {
    const bucket = this.#buckets[commonPrefixBits(this.#self, id)]!;
    const i = bucket.findIndex((x) => sameId(x.id, id));
    if (i >= 0) { bucket.splice(i, 1); this.#size--; }
  }

  /** The `count` good nodes closest to `target` by XOR distance. */
  closest(target: NodeId, count = K): RoutingEntry[] {
    const all: RoutingEntry[] = [];
    for (const b of this.#buckets) for (const e of b) if (e.failures < MAX_FAILURES) all.push(e);
    all.sort((a, b) => compareDistance(target, a.id, b.id));
    return all.slice(0, count);
  }

  /** Nodes not heard from for `staleMs`, to ping (BEP 5: refresh questionable nodes). */
  questionable(now: number, max: number): RoutingEntry[] {
    const out: RoutingEntry[] = [];
    for (const b of this.#buckets) for (const e of b) {
      if (now - e.lastSeen > this.#staleMs && out.length < max) out.push(e);
    }
    return out;
  }

  all(): RoutingEntry[] {
    return this.#buckets.flat();
  }
}

export function sameId(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

import type { IpFamily } from '../../domain/ip-address.ts';
import { compactPeerSize, decodePeer, encodePeer, type NodeAddress } from './compact.ts';
import { K } from './routing-table.ts';

/** Slots per chunk: a chunk is allocated when one of its slots is first written (12 KB each for IPv4). */
const CHUNK = 256;

/**
 * Per announce slot, the addresses of the k closest nodes of its last announce, in compact form
 * (BEP 5, 6 bytes each; an IPv6 node's, BEP 32, 18): re-announces ask them again and skip the full
 * lookup. Only the addresses are kept, not the node ids: a re-announce learns each node's id from
 * its answer, and the ids were 20 of every 26 bytes. Issue 10 item 5: after one DHT cycle every
 * decoy has an entry, so at 1,000,000 decoys this cache is the largest thing the node holds per
 * decoy: 48 bytes each (IPv4), 208 with the ids.
 * Kept in fixed-size chunks rather than a Uint8Array per decoy (whose object and backing store would
 * cost more than it holds), and chunks appear only as slots are announced, so a node that has just
 * started holds none.
 */
export class ClosestCache {
  readonly #chunks: (Uint8Array | undefined)[] = [];
  /** Nodes stored per slot (0 = nothing cached). */
  #count = new Uint8Array(0);
  readonly #family: IpFamily;
  readonly #node: number;
  /** Bytes a slot takes once it has been written (K addresses). */
  readonly bytesPerSlot: number;

  constructor(family: IpFamily = 4) {
    this.#family = family;
    this.#node = compactPeerSize(family);
    this.bytesPerSlot = K * this.#node;
  }

  /** Makes room for slots [0, slots). */
  reserve(slots: number): void {
    if (slots <= this.#count.length) return;
    const c = new Uint8Array(slots);
    c.set(this.#count);
    this.#count = c;
  }

  /** The slot's node addresses, or null. */
  get(slot: number): NodeAddress[] | null {
    const n = this.#count[slot] ?? 0;
    if (n === 0) return null;
    const chunk = this.#chunks[Math.floor(slot / CHUNK)]!;
    const at = (slot % CHUNK) * this.bytesPerSlot;
    return Array.from({ length: n }, (_, i) => decodePeer(chunk, at + i * this.#node, this.#family));
  }

  /** Stores up to K node addresses of the cache's family (null or empty clears). */
  set(slot: number, nodes: readonly NodeAddress[] | null): void {
    if (slot >= this.#count.length) throw new RangeError(`slot ${slot} beyond reserve()`);
    if (!nodes || nodes.length === 0) { this.#count[slot] = 0; return; }
    if (nodes.length > K) throw new RangeError(`not 1..${K} nodes: ${nodes.length}`);
    const c = Math.floor(slot / CHUNK);
    const chunk = (this.#chunks[c] ??= new Uint8Array(CHUNK * this.bytesPerSlot));
    const at = (slot % CHUNK) * this.bytesPerSlot;
    nodes.forEach((n, i) => encodePeer(n, chunk, at + i * this.#node, this.#family));
    this.#count[slot] = nodes.length;
  }

  /** Bytes held by the chunks written so far (tests, benchmarks). */
  get bytes(): number {
    return this.#chunks.reduce((n, c) => n + (c?.length ?? 0), 0) + this.#count.length;
  }
}

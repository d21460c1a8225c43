import type { IpFamily } from '../../domain/ip-address.ts';
import { compactNodeSize } from './compact.ts';
import { K } from './routing-table.ts';

/** Slots per chunk: a chunk is allocated when one of its slots is first written (~53 KB each). */
const CHUNK = 256;

/**
 * Per announce slot, the k closest nodes of its last announce in compact form (BEP 5, 26 bytes
 * each; an IPv6 node's, BEP 32, 38): re-announces skip the full lookup. Kept in fixed-size chunks rather than a Uint8Array
 * per decoy (whose object and backing store would cost more than the 208 bytes it holds), and
 * chunks appear only as slots are announced, so a node that has just started holds none.
 */
export class ClosestCache {
  readonly #chunks: (Uint8Array | undefined)[] = [];
  /** Nodes stored per slot (0 = nothing cached). */
  #count = new Uint8Array(0);
  readonly #node: number;
  readonly #slot: number;

  constructor(family: IpFamily = 4) {
    this.#node = compactNodeSize(family);
    this.#slot = K * this.#node;
  }

  /** Makes room for slots [0, slots). */
  reserve(slots: number): void {
    if (slots <= this.#count.length) return;
    const c = new Uint8Array(slots);
    c.set(this.#count);
    this.#count = c;
  }

  /** A copy of the slot's compact nodes, or null. */
  get(slot: number): Uint8Array | null {
    const n = this.#count[slot] ?? 0;
    if (n === 0) return null;
    const at = (slot % CHUNK) * this.#slot;
    return this.#chunks[Math.floor(slot / CHUNK)]!.slice(at, at + n * this.#node);
  }

  /** Stores up to K compact nodes (null or empty clears). */
  set(slot: number, nodes: Uint8Array | null): void {
    if (slot >= this.#count.length) throw new RangeError(`slot ${slot} beyond reserve()`);
    if (!nodes || nodes.length === 0) { this.#count[slot] = 0; return; }
    if (nodes.length % this.#node !== 0 || nodes.length > this.#slot) throw new RangeError(`not 1..${K} compact nodes: ${nodes.length} bytes`);
    const c = Math.floor(slot / CHUNK);
    const chunk = (this.#chunks[c] ??= new Uint8Array(CHUNK * this.#slot));
    chunk.set(nodes, (slot % CHUNK) * this.#slot);
    this.#count[slot] = nodes.length / this.#node;
  }
}

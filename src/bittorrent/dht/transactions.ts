import type { NodeAddress } from './compact.ts';
import { DhtQueryError } from './errors.ts';
import type { KrpcResponse } from './krpc.ts';

export interface Pending {
  readonly to: NodeAddress;
  readonly deadline: number;
  resolve(r: KrpcResponse): void;
  reject(e: DhtQueryError): void;
}

/**
 * Outstanding queries by 2-byte transaction id (BEP 5 `t`). Bounded by `max`; every query has the
 * same timeout, so insertion order is deadline order and a sweep stops at the first live one.
 */
export class Transactions {
  readonly #byTid = new Map<number, Pending>();
  readonly #max: number;
  #next = Math.floor(Math.random() * 0x10000);

  constructor(max: number) { this.#max = Math.min(max, 0x8000); }

  get size(): number { return this.#byTid.size; }
  get full(): boolean { return this.#byTid.size >= this.#max; }

  /** Registers `p` and returns its transaction id bytes. */
  open(p: Pending): Uint8Array {
    if (this.full) throw new DhtQueryError('queue-full', 'too many outstanding queries');
    while (this.#byTid.has(this.#next)) this.#next = (this.#next + 1) & 0xffff;
    const tid = this.#next;
    this.#next = (this.#next + 1) & 0xffff;
    this.#byTid.set(tid, p);
    return Uint8Array.of(tid >> 8, tid & 0xff);
  }

  /** The pending query a reply from `from` with id `t` answers; replies from another address are ignored (spoofing). */
  take(t: Uint8Array, from: NodeAddress): Pending | undefined {
    if (t.length !== 2) return undefined;
    const tid = (t[0]! << 8) | t[1]!;
    const p = this.#byTid.get(tid);
    if (!p || p.to.ip !== from.ip || p.to.port !== from.port) return undefined;
    this.#byTid.delete(tid);
    return p;
  }

  /** Removes and returns every query whose deadline has passed. */
  expire(now: number): Pending[] {
    const out: Pending[] = [];
    for (const [tid, p] of this.#byTid) {
      if (p.deadline > now) break;
      this.#byTid.delete(tid);
      out.push(p);
    }
    return out;
  }

  drain(): Pending[] {
    const all = [...this.#byTid.values()];
    this.#byTid.clear();
    return all;
  }
}

/**
 * Stateless BEP 15 connection ids: the first 8 bytes of
 * HMAC-SHA256(secret, time bucket | ip | port). A connect flood therefore
 * costs no memory, and an id is only usable from the address it was sent to,
 * which stops spoofed-source announces (BEP 15 "connection id" rationale).
 */
import { createHmac, randomBytes } from 'node:crypto';

/** BEP 15: trackers accept an id for two minutes after sending it. */
export const DEFAULT_BUCKET_MS = 120_000;

export interface ConnectionIdsInit {
  readonly now: () => number;
  /** Random per process unless given (tests). */
  readonly secret?: Uint8Array;
  readonly bucketMs?: number;
}

export class ConnectionIds {
  readonly #secret: Uint8Array;
  readonly #now: () => number;
  readonly #bucketMs: number;

  constructor(init: ConnectionIdsInit) {
    this.#secret = init.secret ?? randomBytes(32);
    this.#now = init.now;
    this.#bucketMs = init.bucketMs ?? DEFAULT_BUCKET_MS;
  }

  issue(ip: string, port: number): bigint {
    return this.#mac(this.#bucket(), ip, port);
  }

  /** Accepts ids from the current and the previous bucket: every id lives at least one full bucket. */
  verify(ip: string, port: number, id: bigint): boolean {
    const b = this.#bucket();
    return id === this.#mac(b, ip, port) || id === this.#mac(b - 1, ip, port);
  }

  #bucket(): number {
    return Math.floor(this.#now() / this.#bucketMs);
  }

  #mac(bucket: number, ip: string, port: number): bigint {
    const h = createHmac('sha256', this.#secret).update(`${bucket}|${ip}|${port}`).digest();
    return h.readBigUInt64BE(0);
  }
}

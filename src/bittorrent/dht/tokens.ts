import { createHash, randomBytes } from 'node:crypto';

/** BEP 5: "tokens up to ten minutes old are accepted"; the secret changes every five minutes. */
export const TOKEN_ROTATION_MS = 5 * 60_000;
const TOKEN_LENGTH = 8;

/**
 * announce_peer tokens: SHA-1(secret || querier IP), truncated. The secret rotates by epoch
 * (no timer): the current and the previous epoch's secrets are accepted.
 */
export class TokenIssuer {
  readonly #now: () => number;
  readonly #rotationMs: number;
  #epoch = -1;
  #current = randomBytes(16);
  #previous = randomBytes(16);

  constructor(o: { now: () => number; rotationMs?: number }) {
    this.#now = o.now;
    this.#rotationMs = o.rotationMs ?? TOKEN_ROTATION_MS;
  }

  issue(ip: string): Uint8Array {
    this.#rotate();
    return tokenFor(this.#current, ip);
  }

  verify(ip: string, token: Uint8Array): boolean {
    this.#rotate();
    return equal(token, tokenFor(this.#current, ip)) || equal(token, tokenFor(this.#previous, ip));
  }

  #rotate(): void {
    const epoch = Math.floor(this.#now() / this.#rotationMs);
    if (epoch === this.#epoch) return;
    // More than one epoch passed: both secrets are too old.
    this.#previous = epoch === this.#epoch + 1 ? this.#current : randomBytes(16);
    this.#current = randomBytes(16);
    this.#epoch = epoch;
  }
}

function tokenFor(secret: Uint8Array, ip: string): Uint8Array {
  return new Uint8Array(createHash('sha1').update(secret).update(ip).digest().subarray(0, TOKEN_LENGTH));
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

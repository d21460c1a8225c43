/**
 * Login attempts per client address in a sliding minute (ASVS 2.2.1), beside the per-account
 * lockout in app/accounts.ts: the lockout stops guessing one account's password, this stops one
 * client trying many accounts. Bounded: at most MAX_TRACKED addresses are remembered.
 */
const MAX_TRACKED = 10_000;

/**
 * What the login routes ask before checking a password. One process: a LoginThrottle. Several
 * (`serve --workers N`): the primary's one LoginThrottle, asked over IPC (web/cluster.ts), so a
 * client gets 20 attempts a minute whichever worker its connections reach, not 20 per worker.
 */
export interface LoginGate {
  allow(address: string, now: number): boolean | Promise<boolean>;
}

export class LoginThrottle implements LoginGate {
  readonly #perMinute: number;
  readonly #hits = new Map<string, number[]>();

  constructor(perMinute: number) { this.#perMinute = perMinute; }

  /** Records an attempt; false when the address has used up its attempts for this minute. */
  allow(address: string, now: number): boolean {
    const recent = (this.#hits.get(address) ?? []).filter((t) => t > now - 60_000);
    if (recent.length >= this.#perMinute) { this.#hits.set(address, recent); return false; }
    recent.push(now);
    this.#hits.delete(address);
    this.#hits.set(address, recent);
    if (this.#hits.size > MAX_TRACKED) this.#hits.delete(this.#hits.keys().next().value!);
    return true;
  }
}

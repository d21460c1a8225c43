import { isIP } from 'node:net';
import { isBep42Exempt } from './node-id.ts';

/** An IPv4 address other nodes could reach us at: not local (BEP 42 exempt), CGNAT-shared, multicast or reserved. */
export function isRoutableV4(ip: string): boolean {
  if (isIP(ip) !== 4 || isBep42Exempt(ip)) return false;
  const [a = 0, b = 0] = ip.split('.').map(Number);
  return a !== 0 && a < 224 && !(a === 100 && b >= 64 && b < 128);
}

export interface ExternalIpVoterInit {
  /** Voters remembered (the oldest vote is forgotten first). Default 64. */
  readonly maxVoters?: number;
  /** Distinct voters needed before any address is believed. Default 8. */
  readonly minVoters?: number;
}

/**
 * BEP 42: learns this node's external IPv4 address from the `ip` key that nodes put in their
 * replies. Only replies to our own queries count (the caller matched the transaction), each
 * replying address counts once with its latest report, and an address is believed only when at
 * least minVoters have reported and two thirds of the remembered votes agree on it, so a few
 * lying or misconfigured nodes cannot move the node's id. Memory: at most maxVoters entries.
 */
export class ExternalIpVoter {
  readonly #votes = new Map<string, string>();
  readonly #max: number;
  readonly #min: number;

  constructor(init: ExternalIpVoterInit = {}) {
    this.#max = init.maxVoters ?? 64;
    this.#min = init.minVoters ?? 8;
  }

  get voters(): number { return this.#votes.size; }

  /** `voter` replied to us and saw us as `reported`; returns the address a clear majority agrees on, if any. */
  vote(voter: string, reported: string): string | undefined {
    if (!isRoutableV4(reported)) return undefined;
    this.#votes.delete(voter);
    this.#votes.set(voter, reported);
    if (this.#votes.size > this.#max) this.#votes.delete(this.#votes.keys().next().value!);
    if (this.#votes.size < this.#min) return undefined;
    const counts = new Map<string, number>();
    let leader = '';
    let most = 0;
    for (const ip of this.#votes.values()) {
      const n = (counts.get(ip) ?? 0) + 1;
      counts.set(ip, n);
      if (n > most) { most = n; leader = ip; }
    }
    return 3 * most >= 2 * this.#votes.size ? leader : undefined;
  }
}

import type { NodeAddress } from './compact.ts';

/** BEP 5 leaves it open; libtorrent keeps announced peers ~30 minutes too. */
const PEER_TTL_MS = 30 * 60_000;

/**
 * Peers other nodes announced to us (a good citizen answers get_peers with them).
 * Bounded: at most `maxHashes` infohashes and `maxPeersPerHash` peers each; the oldest go first.
 */
export class PeerStore {
  readonly #byHash = new Map<string, Map<string, number>>();
  readonly #maxHashes: number;
  readonly #maxPeers: number;

  constructor(o: { maxHashes?: number; maxPeersPerHash?: number } = {}) {
    this.#maxHashes = o.maxHashes ?? 5000;
    this.#maxPeers = o.maxPeersPerHash ?? 100;
  }

  add(infoHashHex: string, peer: NodeAddress, now: number): void {
    let peers = this.#byHash.get(infoHashHex);
    if (!peers) {
      if (this.#byHash.size >= this.#maxHashes) {
        const oldest = this.#byHash.keys().next().value;
        if (oldest !== undefined) this.#byHash.delete(oldest);
      }
      peers = new Map();
      this.#byHash.set(infoHashHex, peers);
    }
    const key = `${peer.ip}:${peer.port}`;
    peers.delete(key);
    if (peers.size >= this.#maxPeers) {
      const oldest = peers.keys().next().value;
      if (oldest !== undefined) peers.delete(oldest);
    }
    peers.set(key, now + PEER_TTL_MS);
  }

  get(infoHashHex: string, now: number, max = 50): NodeAddress[] {
    const peers = this.#byHash.get(infoHashHex);
    if (!peers) return [];
    const out: NodeAddress[] = [];
    for (const [key, expires] of peers) {
      if (expires < now) { peers.delete(key); continue; }
      if (out.length >= max) break;
      const i = key.lastIndexOf(':');
      out.push({ ip: key.slice(0, i), port: Number(key.slice(i + 1)) });
    }
    if (peers.size === 0) this.#byHash.delete(infoHashHex);
    return out;
  }

  get size(): number { return this.#byHash.size; }
}

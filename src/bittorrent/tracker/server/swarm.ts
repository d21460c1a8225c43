/**
 * In-memory swarm state for the built-in tracker: who announced which decoy,
 * bounded in torrents and peers per torrent, expiring silent peers.
 * Peers are keyed by (source ip, announced port): the claimed `ip` is never
 * used, so nobody can insert a third party's address into a peer list.
 */
import type { InfoHashHex } from '../../../domain/info-hash.ts';
import type { AnnouncePeer } from '../codec/http-response.ts';
import { ipFamily } from '../codec/ip.ts';
import type { AnnounceEvent, ScrapeStats } from '../codec/types.ts';

export interface SwarmInit {
  /** A peer that has not re-announced within this time is dropped (we use 2 x interval). */
  readonly peerTtlMs: number;
  readonly maxTorrents?: number;
  /** When full, the longest-silent peer makes room (BEP 3 gives no rule; this keeps lists fresh). */
  readonly maxPeersPerTorrent?: number;
}

export interface SwarmAnnounce {
  readonly ip: string;
  readonly port: number;
  readonly peerId: Uint8Array;
  readonly left: number;
  readonly event: AnnounceEvent;
}

interface PeerEntry {
  readonly ip: string;
  readonly port: number;
  peerId: Uint8Array;
  seed: boolean;
  lastSeen: number;
}

interface Torrent {
  /** Insertion order == last-seen order (entries are re-inserted on every announce). */
  readonly peers: Map<string, PeerEntry>;
  seeders: number;
  completed: number;
}

export const DEFAULT_MAX_TORRENTS = 200_000;
export const DEFAULT_MAX_PEERS_PER_TORRENT = 2_000;

function peerKey(ip: string, port: number): string {
  return `${ip}|${port}`;
}

export class Swarm {
  readonly #ttl: number;
  readonly #maxTorrents: number;
  readonly #maxPeers: number;
  readonly #torrents = new Map<InfoHashHex, Torrent>();

  constructor(init: SwarmInit) {
    this.#ttl = init.peerTtlMs;
    this.#maxTorrents = init.maxTorrents ?? DEFAULT_MAX_TORRENTS;
    this.#maxPeers = init.maxPeersPerTorrent ?? DEFAULT_MAX_PEERS_PER_TORRENT;
  }

  get torrentCount(): number { return this.#torrents.size; }

  peerCount(infoHash: InfoHashHex): number { return this.#torrents.get(infoHash)?.peers.size ?? 0; }

  /** Records an announce; returns false when the torrent table is full and the announce was not stored. */
  announce(infoHash: InfoHashHex, a: SwarmAnnounce, now: number): boolean {
    let t = this.#torrents.get(infoHash);
    if (t === undefined) {
      if (a.event === 'stopped') return true;
      if (this.#torrents.size >= this.#maxTorrents) return false;
      t = { peers: new Map(), seeders: 0, completed: 0 };
      this.#torrents.set(infoHash, t);
    }
    this.#expire(t, now);
    const key = peerKey(a.ip, a.port);
    const old = t.peers.get(key);
    if (old !== undefined) {
      t.peers.delete(key);
      if (old.seed) t.seeders--;
    }
    if (a.event === 'completed') t.completed++;
    if (a.event !== 'stopped') {
      if (t.peers.size >= this.#maxPeers) this.#evictOldest(t);
      const seed = a.left === 0;
      t.peers.set(key, { ip: a.ip, port: a.port, peerId: a.peerId, seed, lastSeen: now });
      if (seed) t.seeders++;
    }
    if (t.peers.size === 0 && t.completed === 0) this.#torrents.delete(infoHash);
    return true;
  }

  /** Up to `numWant` peers chosen uniformly (reservoir sampling), never the requester itself. */
  peers(infoHash: InfoHashHex, opts: { numWant: number; excludeIp: string; excludePort: number; family?: 4 | 6 }, now: number): AnnouncePeer[] {
    const t = this.#torrents.get(infoHash);
    if (t === undefined || opts.numWant <= 0) return [];
    this.#expire(t, now);
    const exclude = peerKey(opts.excludeIp, opts.excludePort);
    const out: AnnouncePeer[] = [];
    let seen = 0;
    for (const [key, p] of t.peers) {
      if (key === exclude || p.port === 0) continue;
      if (opts.family !== undefined && ipFamily(p.ip) !== opts.family) continue;
      seen++;
      const peer = { ip: p.ip, port: p.port, peerId: p.peerId };
      if (out.length < opts.numWant) out.push(peer);
      else {
        const j = Math.floor(Math.random() * seen);
        if (j < opts.numWant) out[j] = peer;
      }
    }
    return out;
  }

  stats(infoHash: InfoHashHex, now: number): ScrapeStats {
    const t = this.#torrents.get(infoHash);
    if (t === undefined) return { complete: 0, downloaded: 0, incomplete: 0 };
    this.#expire(t, now);
    return { complete: t.seeders, downloaded: t.completed, incomplete: t.peers.size - t.seeders };
  }

  /** Drops expired peers everywhere; O(torrents + expired peers). Returns how many peers were dropped. */
  sweep(now: number): number {
    let dropped = 0;
    for (const [hash, t] of this.#torrents) {
      dropped += this.#expire(t, now);
      if (t.peers.size === 0 && t.completed === 0) this.#torrents.delete(hash);
    }
    return dropped;
  }

  #expire(t: Torrent, now: number): number {
    let n = 0;
    for (const p of t.peers.values()) {
      if (now - p.lastSeen <= this.#ttl) break;
      this.#evictOldest(t);
      n++;
    }
    return n;
  }

  #evictOldest(t: Torrent): void {
    const first = t.peers.entries().next();
    if (first.done === true) return;
    const [key, p] = first.value;
    t.peers.delete(key);
    if (p.seed) t.seeders--;
  }
}

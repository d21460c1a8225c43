/**
 * Transport-independent tracker logic shared by the HTTP and UDP servers:
 * only counterseed's own decoys are tracked, and every announce (ours or
 * not) becomes a TrackerAnnounceObservation.
 */
import { infoHashToHex, type InfoHashHex } from '../../../domain/info-hash.ts';
import { evidenceCounter, type TrackerAnnounceObservation } from '../../../domain/observation.ts';
import type { AnnouncePeer } from '../codec/http-response.ts';
import type { AnnounceRequest, ScrapeStats } from '../codec/types.ts';
import type { Swarm } from './swarm.ts';

/** Peers returned when the client states no numwant (BEP 3 suggests 50). */
export const DEFAULT_NUMWANT = 50;
/** Cap on numwant: a larger list only helps crawlers map the swarm. */
export const MAX_NUMWANT = 200;
export const UNKNOWN_TORRENT = 'unknown torrent';

export interface TrackerCoreInit {
  readonly swarm: Swarm;
  lookup(infoHashHex: string): number | null;
  onAnnounce(obs: TrackerAnnounceObservation): void;
  readonly intervalSeconds: number;
  now(): number;
}

export interface Remote {
  readonly ip: string;
  readonly port: number;
}

export type AnnounceOutcome =
  | { readonly ok: true; readonly interval: number; readonly complete: number; readonly incomplete: number; readonly peers: AnnouncePeer[] }
  | { readonly ok: false; readonly reason: string };

export class TrackerCore {
  readonly #init: TrackerCoreInit;
  /** Observer exceptions are counted, never allowed to break the tracker. */
  observerErrors = 0;
  /** Announces for our decoys that the full torrent table could not store. */
  notStored = 0;

  constructor(init: TrackerCoreInit) {
    this.#init = init;
  }

  /**
   * `family` restricts the peer list (UDP answers in the socket's family, BEP 15);
   * the claimed `ip` is recorded only: the source address is what we list.
   */
  announce(req: AnnounceRequest, remote: Remote, protocol: 'http' | 'udp', family?: 4 | 6): AnnounceOutcome {
    const now = this.#init.now();
    const hex = infoHashToHex(req.infoHash);
    const decoyId = this.#init.lookup(hex);
    this.#observe({
      kind: 'tracker-announce', at: now, protocol, infoHash: hex, decoyId,
      remoteIp: remote.ip, remotePort: remote.port, claimedIp: req.ip ?? null, announcedPort: req.port,
      peerId: Buffer.from(req.peerId).toString('hex'), event: req.event,
      uploaded: evidenceCounter(req.uploaded), downloaded: evidenceCounter(req.downloaded), left: evidenceCounter(req.left),
    });
    if (decoyId === null) return { ok: false, reason: UNKNOWN_TORRENT };
    const swarm = this.#init.swarm;
    if (!swarm.announce(hex, { ip: remote.ip, port: req.port, peerId: req.peerId, left: req.left, event: req.event }, now)) this.notStored++;
    const numWant = Math.min(MAX_NUMWANT, req.numWant ?? DEFAULT_NUMWANT);
    const peers = req.event === 'stopped' ? []
      : swarm.peers(hex, { numWant, excludeIp: remote.ip, excludePort: req.port, ...(family !== undefined && { family }) }, now);
    const s = swarm.stats(hex, now);
    return { ok: true, interval: this.#init.intervalSeconds, complete: s.complete, incomplete: s.incomplete, peers };
  }

  /** Counters for our decoys only; unknown infohashes get null (HTTP omits them, UDP answers zeros). */
  scrape(infoHashes: readonly Uint8Array[]): Array<[InfoHashHex, ScrapeStats | null]> {
    const now = this.#init.now();
    return infoHashes.map((h) => {
      const hex = infoHashToHex(h);
      return [hex, this.#init.lookup(hex) === null ? null : this.#init.swarm.stats(hex, now)];
    });
  }

  #observe(obs: TrackerAnnounceObservation): void {
    try {
      this.#init.onAnnounce(obs);
    } catch {
      this.observerErrors++;
    }
  }
}

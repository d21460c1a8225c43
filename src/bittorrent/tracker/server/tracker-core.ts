/**
 * Transport-independent tracker logic shared by the HTTP and UDP servers:
 * only counterseed's own decoys are tracked. Every announce is accounted for
 * (issue 17, item 8): one for a decoy becomes a TrackerAnnounceObservation
 * within the per-second budget (overall and per source /24 or /48) and is
 * counted in an aggregate record beyond it; one for an infohash that is not a
 * decoy is only counted (a UDP flood of those stored 25,002 rows in 25 s).
 */
import { infoHashToHex, type InfoHashHex } from '../../../domain/info-hash.ts';
import { evidenceCounter, type AggregateObservation, type TrackerAnnounceObservation } from '../../../domain/observation.ts';
import { DEFAULT_FLOOD_GATE, FloodGate, type FloodGateInit, type FloodGateStats } from '../../../observation/flood-gate.ts';
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
  onAnnounce(obs: TrackerAnnounceObservation | AggregateObservation): void;
  readonly intervalSeconds: number;
  now(): number;
  /** Announces recorded one by one per second (overall, per source); default DEFAULT_FLOOD_GATE. */
  readonly announceRecords?: FloodGateInit;
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

  readonly #records: FloodGate;

  constructor(init: TrackerCoreInit) {
    this.#init = init;
    this.#records = new FloodGate(init.announceRecords ?? DEFAULT_FLOOD_GATE, { publish: (o) => this.#observe(o as TrackerAnnounceObservation | AggregateObservation), now: init.now });
  }

  /** Announces recorded one by one and counted in aggregates. */
  get recordStats(): Readonly<FloodGateStats> { return this.#records.stats; }

  /** Publishes every open aggregate (at stop). */
  flush(): void { this.#records.flush(); }

  /**
   * `family` restricts the peer list (UDP answers in the socket's family, BEP 15);
   * the claimed `ip` is recorded only: the source address is what we list.
   */
  announce(req: AnnounceRequest, remote: Remote, protocol: 'http' | 'udp', family?: 4 | 6): AnnounceOutcome {
    const now = this.#init.now();
    const hex = infoHashToHex(req.infoHash);
    const decoyId = this.#init.lookup(hex);
    if (decoyId === null) {
      this.#records.count('tracker-announce', 'unknown-infohash', protocol, remote.ip, now);
      return { ok: false, reason: UNKNOWN_TORRENT };
    }
    this.#records.offer({
      kind: 'tracker-announce', at: now, protocol, infoHash: hex, decoyId,
      remoteIp: remote.ip, remotePort: remote.port, claimedIp: req.ip ?? null, announcedPort: req.port,
      peerId: Buffer.from(req.peerId).toString('hex'), event: req.event,
      uploaded: evidenceCounter(req.uploaded), downloaded: evidenceCounter(req.downloaded), left: evidenceCounter(req.left),
    }, protocol);
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

  #observe(obs: TrackerAnnounceObservation | AggregateObservation): void {
    try {
      this.#init.onAnnounce(obs);
    } catch {
      this.observerErrors++;
    }
  }
}

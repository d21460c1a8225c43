/**
 * The built-in tracker: one swarm table and one announce policy, served over
 * HTTP (BEP 3) and/or UDP (BEP 15). Only counterseed's decoys are tracked.
 */
import type { AggregateObservation, TrackerAnnounceObservation } from '../../../domain/observation.ts';
import type { FloodGateInit, FloodGateStats } from '../../../observation/flood-gate.ts';
import { ConnectionIds } from './connection-ids.ts';
import { HttpTrackerServer, type HttpServerStats } from './http-server.ts';
import { Swarm } from './swarm.ts';
import { TrackerCore } from './tracker-core.ts';
import { UdpTrackerServer, type UdpServerStats } from './udp-server.ts';

export const DEFAULT_INTERVAL_SECONDS = 1800;

export interface TrackerServerInit {
  host: string;
  /** 0 = ephemeral; undefined = disabled. */
  httpPort?: number;
  udpPort?: number;
  /** Returns the decoy id, or null for unknown infohashes (answered with a failure reason, and NOT recorded as a peer). */
  lookup(infoHashHex: string): number | null;
  /** Announces for decoys (within the record budget) and aggregate counts of the others, for the evidence store. */
  onAnnounce(obs: TrackerAnnounceObservation | AggregateObservation): void;
  /** Announces recorded one by one per second (overall, per source /24 or /48); the rest are aggregated. */
  announceRecords?: FloodGateInit;
  /** Default 1800; lab uses small values. */
  intervalSeconds?: number;
  now?(): number;
  maxTorrents?: number;
  maxPeersPerTorrent?: number;
}

export interface TrackerServerStats {
  readonly http: Readonly<HttpServerStats> | null;
  readonly udp: Readonly<UdpServerStats> | null;
  readonly observerErrors: number;
  readonly torrents: number;
  readonly records: Readonly<FloodGateStats>;
}

function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

export class TrackerServer {
  readonly #init: TrackerServerInit;
  readonly #swarm: Swarm;
  readonly #core: TrackerCore;
  readonly #now: () => number;
  readonly #http: HttpTrackerServer | undefined;
  readonly #udp: UdpTrackerServer | undefined;
  #sweep: NodeJS.Timeout | undefined;

  constructor(init: TrackerServerInit) {
    this.#init = init;
    const interval = init.intervalSeconds ?? DEFAULT_INTERVAL_SECONDS;
    if (!Number.isInteger(interval) || interval < 1) throw new RangeError(`intervalSeconds must be a positive integer, got ${interval}`);
    this.#now = init.now === undefined ? Date.now : () => init.now!();
    // A peer that missed two announces is gone (common tracker practice).
    this.#swarm = new Swarm({
      peerTtlMs: 2 * interval * 1000,
      ...(init.maxTorrents !== undefined && { maxTorrents: init.maxTorrents }),
      ...(init.maxPeersPerTorrent !== undefined && { maxPeersPerTorrent: init.maxPeersPerTorrent }),
    });
    this.#core = new TrackerCore({
      swarm: this.#swarm, lookup: (h) => init.lookup(h), onAnnounce: (o) => init.onAnnounce(o), intervalSeconds: interval, now: this.#now,
      ...(init.announceRecords && { announceRecords: init.announceRecords }),
    });
    this.#http = init.httpPort === undefined ? undefined : new HttpTrackerServer({ host: init.host, port: init.httpPort, core: this.#core });
    this.#udp = init.udpPort === undefined ? undefined : new UdpTrackerServer({
      host: init.host, port: init.udpPort, core: this.#core, connectionIds: new ConnectionIds({ now: this.#now }),
    });
  }

  async start(opts: { signal?: AbortSignal } = {}): Promise<{ httpUrl?: string; udpUrl?: string }> {
    const out: { httpUrl?: string; udpUrl?: string } = {};
    try {
      if (this.#http !== undefined) out.httpUrl = `http://${urlHost(this.#init.host)}:${(await this.#http.start(opts)).port}/announce`;
      if (this.#udp !== undefined) out.udpUrl = `udp://${urlHost(this.#init.host)}:${(await this.#udp.start(opts)).port}`;
    } catch (e) {
      await this.stop();
      throw e;
    }
    const intervalMs = (this.#init.intervalSeconds ?? DEFAULT_INTERVAL_SECONDS) * 1000;
    this.#sweep = setInterval(() => this.#swarm.sweep(this.#now()), intervalMs);
    this.#sweep.unref();
    return out;
  }

  async stop(): Promise<void> {
    clearInterval(this.#sweep);
    this.#sweep = undefined;
    await Promise.all([this.#http?.stop(), this.#udp?.stop()]);
    this.#core.flush();
  }

  stats(): TrackerServerStats {
    return {
      http: this.#http === undefined ? null : { ...this.#http.stats },
      udp: this.#udp === undefined ? null : { ...this.#udp.stats },
      observerErrors: this.#core.observerErrors,
      torrents: this.#swarm.torrentCount,
      records: { ...this.#core.recordStats },
    };
  }
}

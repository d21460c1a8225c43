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
  /**
   * Further addresses served with the same swarm table, on the same port numbers (issue 10 item 2:
   * the node's IPv6 address beside its IPv4 one, so that IPv6 clients announce over IPv6 and get
   * `peers6`, BEP 7).
   */
  extraHosts?: readonly string[];
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

export interface TrackerUrls { httpUrl?: string; udpUrl?: string }

/** Counters added up over every host's listener. */
function sumStats<T extends object>(zero: T, all: readonly T[]): T {
  const out: Record<string, number> = { ...zero as Record<string, number> };
  for (const s of all) for (const [k, v] of Object.entries(s)) if (typeof v === 'number') out[k] = (out[k] ?? 0) + v;
  return out as T;
}

function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

export class TrackerServer {
  readonly #init: TrackerServerInit;
  readonly #swarm: Swarm;
  readonly #core: TrackerCore;
  readonly #now: () => number;
  readonly #http: HttpTrackerServer[] = [];
  readonly #udp: UdpTrackerServer[] = [];
  readonly #hosts: readonly string[];
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
    this.#hosts = [init.host, ...(init.extraHosts ?? []).filter((h) => h !== init.host)];
  }

  /**
   * Listens on every host; the first host's URLs are `httpUrl`/`udpUrl`, every host's are in `urls`.
   * Further hosts take the port numbers the first one bound (which matters when 0 asked for any).
   */
  async start(opts: { signal?: AbortSignal } = {}): Promise<TrackerUrls & { urls: readonly (TrackerUrls & { host: string })[] }> {
    const urls: (TrackerUrls & { host: string })[] = [];
    let httpPort = this.#init.httpPort, udpPort = this.#init.udpPort;
    try {
      for (const host of this.#hosts) {
        const u: TrackerUrls & { host: string } = { host };
        if (httpPort !== undefined) {
          const http = new HttpTrackerServer({ host, port: httpPort, core: this.#core });
          this.#http.push(http);
          httpPort = (await http.start(opts)).port;
          u.httpUrl = `http://${urlHost(host)}:${httpPort}/announce`;
        }
        if (udpPort !== undefined) {
          const udp = new UdpTrackerServer({ host, port: udpPort, core: this.#core, connectionIds: new ConnectionIds({ now: this.#now }) });
          this.#udp.push(udp);
          udpPort = (await udp.start(opts)).port;
          u.udpUrl = `udp://${urlHost(host)}:${udpPort}`;
        }
        urls.push(u);
      }
    } catch (e) {
      await this.stop();
      throw e;
    }
    const intervalMs = (this.#init.intervalSeconds ?? DEFAULT_INTERVAL_SECONDS) * 1000;
    this.#sweep = setInterval(() => this.#swarm.sweep(this.#now()), intervalMs);
    this.#sweep.unref();
    const first = urls[0]!;
    return { ...(first.httpUrl !== undefined && { httpUrl: first.httpUrl }), ...(first.udpUrl !== undefined && { udpUrl: first.udpUrl }), urls };
  }

  async stop(): Promise<void> {
    clearInterval(this.#sweep);
    this.#sweep = undefined;
    await Promise.all([...this.#http.map((h) => h.stop()), ...this.#udp.map((u) => u.stop())]);
    this.#core.flush();
  }

  stats(): TrackerServerStats {
    return {
      http: this.#init.httpPort === undefined ? null : sumStats({ announces: 0, scrapes: 0, rejected: 0, internalErrors: 0 }, this.#http.map((h) => h.stats)),
      udp: this.#init.udpPort === undefined ? null : sumStats({ connects: 0, announces: 0, scrapes: 0, dropped: 0, errors: 0, internalErrors: 0 }, this.#udp.map((u) => u.stats)),
      observerErrors: this.#core.observerErrors,
      torrents: this.#swarm.torrentCount,
      records: { ...this.#core.recordStats },
    };
  }
}

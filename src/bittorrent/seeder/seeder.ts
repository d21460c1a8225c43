import { createServer, type Server } from 'node:net';
import type { Observation, RejectedConnectionObservation } from '../../domain/observation.ts';
import { DEFAULT_FLOOD_GATE, FloodGate, type FloodGateInit, type FloodGateStats } from '../../observation/flood-gate.ts';
import { Choker } from './choker.ts';
import { ConnectionLimits } from './connection-limits.ts';
import { normalizeIp, PeerConnection, type PeerSocket, type PresentedWire } from './peer-connection.ts';
import type { ProgressPolicy } from './progress-schedule.ts';
import { RateLimiter } from './rate-limiter.ts';
import type { TorrentIndex } from './torrent-index.ts';

export interface SeederInit {
  host: string;
  port: number;
  peerId: Uint8Array;
  clientVersion: string;
  /** Whose BEP 10 handshake and reserved bits we send, and the reqq we advertise (issue 10 item 3). */
  presented?: PresentedWire;
  maxConnections: number;
  maxConnectionsPerIp: number;
  /** Concurrent connections from one /24 (IPv4) or /48 (IPv6); default: no limit beyond maxConnections. */
  maxConnectionsPerPrefix?: number;
  uploadSlots: number;
  uploadRate: number;
  unchokeRotationMs: number;
  handshakeTimeoutMs: number;
  idleTimeoutMs: number;
  maxRequestQueue: number;
  allowPlaintext: boolean;
  /** Rejected connections recorded one by one per second (overall, per source); the rest are aggregated (a flood must not crowd out deliveries). */
  rejectionRecords?: FloodGateInit;
  /** Record open sessions (session-progress, issue 17 item 5); absent: only final delivery records. */
  progress?: ProgressPolicy;
}

export interface SeederComponents {
  index: TorrentIndex;
  publish(o: Observation): void;
  now(): number;
  log?(msg: string): void;
}

/**
 * ONE listening TCP port for every decoy. Incoming handshakes are routed by infohash
 * through the TorrentIndex; slots, rate and admission limits are global, and the only
 * timers are the choker's and the rate limiter's - none per torrent.
 */
export class Seeder {
  readonly #i: SeederInit;
  readonly #c: SeederComponents;
  readonly #limits: ConnectionLimits;
  readonly #choker: Choker;
  readonly #limiter: RateLimiter;
  readonly #conns = new Set<PeerConnection>();
  readonly #rejections: FloodGate;
  #server: Server | undefined;

  constructor(init: SeederInit, components: SeederComponents) {
    this.#i = init;
    this.#c = components;
    this.#limits = new ConnectionLimits(init);
    this.#choker = new Choker({ slots: init.uploadSlots, rotationMs: init.unchokeRotationMs, now: components.now });
    this.#limiter = new RateLimiter(init.uploadRate);
    this.#rejections = new FloodGate(init.rejectionRecords ?? DEFAULT_FLOOD_GATE, { publish: components.publish, now: components.now });
  }

  async start(): Promise<{ host: string; port: number }> {
    const server = createServer({ noDelay: true, pauseOnConnect: false }, (s) => this.#accept(s));
    server.maxConnections = this.#i.maxConnections + 64;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: this.#i.host, port: this.#i.port, backlog: 1024 }, () => { server.off('error', reject); resolve(); });
    });
    server.on('error', (e) => this.#c.log?.(`listener error: ${e.message}`));
    this.#server = server;
    this.#choker.start();
    this.#limiter.start();
    const a = server.address();
    if (a === null || typeof a === 'string') throw new Error('listener has no TCP address');
    return { host: a.address, port: a.port };
  }

  /**
   * Hook for other transports (uTP, issue 10 item 1): an already connected stream on this seeder's
   * address and port goes through the same admission limits, MSE/PE and peer-wire path as TCP.
   */
  acceptStream(stream: PeerSocket): void { this.#accept(stream); }

  #accept(socket: PeerSocket): void {
    const ip = normalizeIp(socket.remoteAddress ?? '');
    const refused = this.#limits.admit(ip);
    if (refused) {
      this.#recordRejection({ kind: 'rejected-connection', at: this.#c.now(), remoteIp: ip, remotePort: socket.remotePort ?? 0, infoHash: null, reason: refused });
      socket.destroy();
      return;
    }
    const conn = new PeerConnection(socket, this.#i, {
      index: this.#c.index, choker: this.#choker, limiter: this.#limiter, now: this.#c.now,
      publish: (o) => (o.kind === 'rejected-connection' ? this.#recordRejection(o) : this.#c.publish(o)),
      onClose: (c) => { this.#conns.delete(c); this.#limits.release(ip); },
    });
    this.#conns.add(conn);
  }

  #recordRejection(o: RejectedConnectionObservation): void {
    this.#rejections.offer(o, o.reason);
  }

  /** Stops accepting, closes every connection (each becomes a delivery observation with reason "shutdown"). */
  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    const closed = server ? new Promise<void>((r) => server.close(() => r())) : Promise.resolve();
    for (const c of [...this.#conns]) c.close('shutdown');
    this.#choker.stop();
    this.#limiter.stop();
    await closed;
    this.#rejections.flush();
  }

  get connections(): number { return this.#conns.size; }
  /** Rejections recorded one by one and counted in aggregates. */
  get rejectionStats(): Readonly<FloodGateStats> { return this.#rejections.stats; }
}

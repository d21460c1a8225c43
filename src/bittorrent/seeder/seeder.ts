import { createServer, type Server, type Socket } from 'node:net';
import type { Observation } from '../../domain/observation.ts';
import { Choker } from './choker.ts';
import { ConnectionLimits } from './connection-limits.ts';
import { normalizeIp, PeerConnection } from './peer-connection.ts';
import type { ProgressPolicy } from './progress-schedule.ts';
import { RateLimiter } from './rate-limiter.ts';
import type { TorrentIndex } from './torrent-index.ts';

export interface SeederInit {
  host: string;
  port: number;
  peerId: Uint8Array;
  clientVersion: string;
  maxConnections: number;
  maxConnectionsPerIp: number;
  uploadSlots: number;
  uploadRate: number;
  unchokeRotationMs: number;
  handshakeTimeoutMs: number;
  idleTimeoutMs: number;
  maxRequestQueue: number;
  allowPlaintext: boolean;
  /** Rejected-connection observations per second; the rest are only counted (a flood must not crowd out deliveries). */
  maxRejectionRecordsPerSecond?: number;
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
  #server: Server | undefined;
  #rejectWindow = { second: 0, count: 0 };
  #suppressedRejections = 0;

  constructor(init: SeederInit, components: SeederComponents) {
    this.#i = init;
    this.#c = components;
    this.#limits = new ConnectionLimits(init);
    this.#choker = new Choker({ slots: init.uploadSlots, rotationMs: init.unchokeRotationMs, now: components.now });
    this.#limiter = new RateLimiter(init.uploadRate);
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

  #accept(socket: Socket): void {
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

  #recordRejection(o: Observation): void {
    const sec = Math.floor(this.#c.now() / 1000);
    if (sec !== this.#rejectWindow.second) this.#rejectWindow = { second: sec, count: 0 };
    if (++this.#rejectWindow.count <= (this.#i.maxRejectionRecordsPerSecond ?? 200)) this.#c.publish(o);
    else this.#suppressedRejections++;
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
  }

  get connections(): number { return this.#conns.size; }
  get suppressedRejections(): number { return this.#suppressedRejections; }
}

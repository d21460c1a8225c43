/**
 * BEP 15 UDP tracker endpoint. Packets that do not carry a valid connection
 * id are dropped without a reply, so a spoofed source cannot use us as an
 * amplifier; only the 16-byte connect exchange is answered unauthenticated.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { TrackerCodecError } from '../codec/errors.ts';
import { normalizeIp } from '../codec/ip.ts';
import * as udp from '../codec/udp.ts';
import type { ConnectionIds } from './connection-ids.ts';
import type { TrackerCore } from './tracker-core.ts';

/** Larger datagrams are not tracker requests (an announce with BEP 41 options stays well below). */
const MAX_PACKET = udp.ANNOUNCE_REQUEST_LEN + udp.MAX_ANNOUNCE_OPTIONS_LEN;

export interface UdpTrackerServerInit {
  readonly host: string;
  readonly port: number;
  readonly core: TrackerCore;
  readonly connectionIds: ConnectionIds;
}

export interface UdpServerStats {
  connects: number;
  announces: number;
  scrapes: number;
  /** Not a request, bad magic, stale or forged connection id: dropped silently. */
  dropped: number;
  /** Authenticated but malformed: answered with a BEP 15 error. */
  errors: number;
  internalErrors: number;
}

export class UdpTrackerServer {
  readonly #init: UdpTrackerServerInit;
  #socket: Socket | undefined;
  #family: 4 | 6 = 4;
  readonly stats: UdpServerStats = { connects: 0, announces: 0, scrapes: 0, dropped: 0, errors: 0, internalErrors: 0 };

  constructor(init: UdpTrackerServerInit) {
    this.#init = init;
  }

  async start(opts: { signal?: AbortSignal } = {}): Promise<{ address: string; port: number }> {
    opts.signal?.throwIfAborted();
    this.#family = this.#init.host.includes(':') ? 6 : 4;
    const s = createSocket(this.#family === 6 ? { type: 'udp6', ipv6Only: true } : { type: 'udp4' });
    this.#socket = s;
    s.on('message', (msg, rinfo) => this.#onMessage(msg, rinfo));
    // Per-datagram errors (e.g. ICMP unreachable surfaced on send) must not kill the tracker.
    s.on('error', () => { this.stats.dropped++; });
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.bind(this.#init.port, this.#init.host, () => { s.off('error', reject); resolve(); });
    });
    const a = s.address();
    return { address: a.address, port: a.port };
  }

  async stop(): Promise<void> {
    const s = this.#socket;
    this.#socket = undefined;
    if (s !== undefined) await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  #onMessage(msg: Buffer, r: RemoteInfo): void {
    if (msg.length < 16 || msg.length > MAX_PACKET) { this.stats.dropped++; return; }
    const packet = new Uint8Array(msg.buffer, msg.byteOffset, msg.length);
    const ip = normalizeIp(r.address);
    const head = udp.peekHeader(packet, 8);
    if (head === null) { this.stats.dropped++; return; }
    if (head.action === udp.ACTION_CONNECT) return this.#connect(packet, ip, r.port);
    const cid = new DataView(packet.buffer, packet.byteOffset, 8).getBigUint64(0);
    if (!this.#init.connectionIds.verify(ip, r.port, cid)) { this.stats.dropped++; return; }
    try {
      if (head.action === udp.ACTION_ANNOUNCE) this.#announce(packet, ip, r.port);
      else if (head.action === udp.ACTION_SCRAPE) this.#scrape(packet, r.port, ip);
      else throw new TrackerCodecError('bad-action', `unknown action ${head.action}`);
    } catch (e) {
      if (!(e instanceof TrackerCodecError)) {
        // A bug must cost one datagram, not the tracker process.
        this.stats.internalErrors++;
        return;
      }
      this.stats.errors++;
      this.#send(udp.encodeErrorResponse(head.transactionId, e.reason), ip, r.port);
    }
  }

  #connect(packet: Uint8Array, ip: string, port: number): void {
    let tid: number;
    try {
      tid = udp.decodeConnectRequest(packet).transactionId;
    } catch {
      this.stats.dropped++;
      return;
    }
    this.stats.connects++;
    this.#send(udp.encodeConnectResponse(tid, this.#init.connectionIds.issue(ip, port)), ip, port);
  }

  #announce(packet: Uint8Array, ip: string, port: number): void {
    const q = udp.decodeAnnounceRequest(packet);
    this.stats.announces++;
    const claimed = q.ip === 0 ? undefined : [q.ip >>> 24, (q.ip >>> 16) & 255, (q.ip >>> 8) & 255, q.ip & 255].join('.');
    const out = this.#init.core.announce({
      infoHash: q.infoHash, peerId: q.peerId, port: q.port,
      // u64 counters: exact below 2^53, the nearest double above (only hostile clients go there).
      uploaded: Number(q.uploaded), downloaded: Number(q.downloaded), left: Number(q.left),
      event: q.event, ...(q.numWant >= 0 && { numWant: q.numWant }), key: q.key.toString(16), ...(claimed !== undefined && { ip: claimed }),
    }, { ip, port }, 'udp', this.#family);
    if (!out.ok) {
      this.#send(udp.encodeErrorResponse(q.transactionId, out.reason), ip, port);
      return;
    }
    this.#send(udp.encodeAnnounceResponse({
      transactionId: q.transactionId, interval: out.interval, leechers: out.incomplete, seeders: out.complete, peers: out.peers,
    }, this.#family), ip, port);
  }

  #scrape(packet: Uint8Array, port: number, ip: string): void {
    const q = udp.decodeScrapeRequest(packet);
    this.stats.scrapes++;
    // BEP 15 answers one entry per requested hash, in order; unknown torrents read as empty.
    const stats = this.#init.core.scrape(q.infoHashes).map(([, s]) => s ?? { complete: 0, downloaded: 0, incomplete: 0 });
    this.#send(udp.encodeScrapeResponse({ transactionId: q.transactionId, stats }), ip, port);
  }

  #send(b: Uint8Array, ip: string, port: number): void {
    this.#socket?.send(b, port, ip);
  }
}

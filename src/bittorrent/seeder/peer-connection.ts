import type { Encryption, Observation, Transport } from '../../domain/observation.ts';
import { infoHashToHex } from '../../domain/info-hash.ts';
import { classifyFirstBytes, CLASSIFY_BYTES } from '../mse/detect.ts';
import { MseError } from '../mse/errors.ts';
import { MseResponder, type MseResult } from '../mse/responder.ts';
import { WireError } from '../wire/errors.ts';
import { Framer } from '../wire/framer.ts';
import type { HandshakeStyle } from '../../domain/presentation.ts';
import { encodeHandshake, makeReserved, reservedFlags, type Handshake } from '../wire/handshake.ts';
import type { Choker } from './choker.ts';
import { DeliverySession, type PeerLink } from './delivery-session.ts';
import type { ProgressPolicy } from './progress-schedule.ts';
import type { RateLimiter } from './rate-limiter.ts';
import type { TorrentIndex } from './torrent-index.ts';
import { socketIp } from '../../domain/ip-address.ts';

/** The client-specific parts of what a seed sends; libtorrent's handshake and the settings' reqq when absent. */
export interface PresentedWire {
  readonly handshakeStyle: HandshakeStyle;
  readonly reqq: number;
  /** reserved[7] & 0x01: libtorrent sets it whether or not its DHT runs. */
  readonly dhtBit: boolean;
}

export interface PeerConnectionInit {
  peerId: Uint8Array;
  clientVersion: string;
  /** Whose BEP 10 handshake and reserved bits we send, and the reqq we advertise (issue 10 item 3). */
  presented?: PresentedWire;
  handshakeTimeoutMs: number;
  idleTimeoutMs: number;
  maxRequestQueue: number;
  allowPlaintext: boolean;
  /** Record open sessions (session-progress, issue 17 item 5); absent: only final delivery records. */
  progress?: ProgressPolicy;
}

export interface PeerConnectionComponents {
  index: TorrentIndex;
  choker: Choker;
  limiter: RateLimiter;
  publish(o: Observation): void;
  now(): number;
  /** Called exactly once when the connection is gone. */
  onClose(conn: PeerConnection): void;
}

/**
 * What a PeerConnection needs of its byte stream: the net.Socket members it uses, which a uTP
 * stream (src/bittorrent/utp/utp-stream.ts) provides too, so one MSE and peer-wire path serves both.
 */
export interface PeerSocket {
  readonly remoteAddress?: string | undefined;
  readonly remotePort?: number | undefined;
  readonly writableNeedDrain: boolean;
  readonly writableLength: number;
  /** Absent on a net.Socket: TCP. */
  readonly transport?: Transport;
  on(event: string, listener: (...args: any[]) => void): unknown;
  once(event: 'drain', listener: () => void): unknown;
  write(bytes: Uint8Array): boolean;
  cork(): void;
  uncork(): void;
  destroy(): unknown;
  setNoDelay(noDelay: boolean): unknown;
  setTimeout(ms: number): unknown;
  address(): { address: string; port: number } | object;
}

type Phase = 'sniff' | 'mse' | 'bittorrent' | 'closed';

/**
 * Bytes we let queue in user space for one peer. Block serving already waits for 'drain';
 * this bounds everything else (rejects, metadata) for a peer that sends but never reads.
 */
export const MAX_PENDING_WRITE = 1 << 20;

/**
 * One accepted TCP connection. Before routing it only ever holds a bounded amount of bytes
 * (sniff: 20, MSE: see MSE_MAX_BUFFERED, handshake: 68); after routing it hands every frame
 * to a DeliverySession. Any error closes it with a recorded reason; nothing here throws out.
 */
export class PeerConnection implements PeerLink {
  readonly #socket: PeerSocket;
  readonly #i: PeerConnectionInit;
  readonly #c: PeerConnectionComponents;
  readonly remoteIp: string;
  readonly remotePort: number;
  readonly startedAt: number;
  #phase: Phase = 'sniff';
  #sniffed: Uint8Array = new Uint8Array(0);
  #mse: MseResponder | undefined;
  #cipher: MseResult | undefined;
  #framer: Framer | undefined;
  #session: DeliverySession | undefined;
  #infoHashHex: string | null = null;
  #deadline: NodeJS.Timeout | undefined;

  constructor(socket: PeerSocket, init: PeerConnectionInit, components: PeerConnectionComponents) {
    this.#socket = socket;
    this.#i = init;
    this.#c = components;
    this.remoteIp = normalizeIp(socket.remoteAddress ?? '');
    this.remotePort = socket.remotePort ?? 0;
    this.startedAt = components.now();
    socket.setNoDelay(true);
    // A deadline from accept, not an inactivity timer: a peer trickling one byte a second must not
    // hold a slot past handshakeTimeoutMs, whether in MSE or the BitTorrent handshake (issue 17, item 7).
    // The seeder sends its extended handshake without waiting for the peer's, so routing ends it.
    this.#deadline = setTimeout(() => this.close('handshake-timeout'), init.handshakeTimeoutMs);
    this.#deadline.unref();
    socket.on('timeout', () => this.close('idle-timeout'));
    socket.on('error', (e: NodeJS.ErrnoException) => this.close(`socket-error:${e.code ?? e.message}`));
    socket.on('end', () => this.close('peer-closed'));
    socket.on('close', () => this.close('peer-closed'));
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
  }

  get writable(): boolean { return this.#phase !== 'closed' && !this.#socket.writableNeedDrain; }

  onDrain(fn: () => void): void { this.#socket.once('drain', fn); }

  cork(): void { this.#socket.cork(); }

  uncork(): void { this.#socket.uncork(); }

  send(bytes: Uint8Array): void {
    if (this.#phase === 'closed') return;
    this.#socket.write(this.#cipher ? this.#cipher.encrypt(bytes) : bytes);
    if (this.#socket.writableLength > MAX_PENDING_WRITE) this.close('peer-not-reading');
  }

  #onData(chunk: Uint8Array): void {
    try {
      if (this.#phase === 'sniff') this.#sniff(chunk);
      else if (this.#phase === 'mse') this.#onMse(chunk);
      else if (this.#phase === 'bittorrent') this.#onBittorrent(this.#cipher ? this.#cipher.decrypt(chunk) : chunk);
    } catch (e) {
      if (e instanceof WireError || e instanceof MseError) this.close(`protocol:${e.reason}`);
      else this.close(`internal-error:${(e as Error).message}`);
    }
  }

  #sniff(chunk: Uint8Array): void {
    const buf = Buffer.concat([this.#sniffed, chunk]);
    const kind = classifyFirstBytes(buf.subarray(0, CLASSIFY_BYTES));
    if (kind === 'need-more') { this.#sniffed = buf; return; }
    this.#sniffed = new Uint8Array(0);
    if (kind === 'plain') {
      if (!this.#i.allowPlaintext) return this.close('plaintext-refused');
      this.#phase = 'bittorrent';
      this.#framer = new Framer({ expectHandshake: true });
      this.#onBittorrent(buf);
    } else {
      this.#phase = 'mse';
      this.#mse = new MseResponder({
        resolveReq2: (h) => this.#c.index.resolveReq2(h), allowPlaintext: this.#i.allowPlaintext,
        // Transmission 3.00 sends no PadD; libtorrent a random one (issue 10 item 3).
        padD: this.#i.presented?.handshakeStyle === 'transmission' ? 'none' : 'random',
      });
      this.#onMse(buf);
    }
  }

  #onMse(chunk: Uint8Array): void {
    const step = this.#mse!.push(chunk);
    for (const b of step.send) this.#socket.write(b);
    if (!step.result) return;
    this.#cipher = step.result;
    this.#mse = undefined;
    this.#infoHashHex = infoHashToHex(step.result.infoHash);
    this.#phase = 'bittorrent';
    this.#framer = new Framer({ expectHandshake: true });
    if (step.result.initial.length > 0) this.#onBittorrent(step.result.initial);
  }

  #onBittorrent(bytes: Uint8Array): void {
    const framer = this.#framer!;
    framer.push(bytes);
    // One write for everything a read's frames answer: a peer that floods requests while choked
    // gets a BEP 6 reject for each, and one write per reject (2,000 per peer) kept the event loop
    // so busy that 300 such peers made the node miss most new connections (hostile-floods.test.ts).
    this.#socket.cork();
    try {
      for (let f = framer.next(); f !== undefined && this.#phase !== 'closed'; f = framer.next()) {
        if (f.kind === 'handshake') this.#route(f.handshake);
        else this.#session!.onMessage(f.message);
      }
    } finally {
      this.#socket.uncork();
    }
  }

  #route(h: Handshake): void {
    const hex = infoHashToHex(h.infoHash);
    // MSE already named the torrent through req2; the BitTorrent handshake inside must agree.
    if (this.#infoHashHex !== null && this.#infoHashHex !== hex) throw new WireError('mse-infohash-mismatch');
    this.#infoHashHex = hex;
    const torrent = this.#c.index.get(hex);
    if (!torrent) return this.close('unknown-infohash');
    const flags = reservedFlags(h.reserved);
    const presented = this.#i.presented;
    this.send(encodeHandshake({ reserved: makeReserved({ extended: true, fast: true, dht: presented?.dhtBit ?? false }), infoHash: h.infoHash, peerId: this.#i.peerId }));
    const local = this.#socket.address();
    this.#session = new DeliverySession({
      torrent, peer: h, peerFlags: flags, encryption: this.#encryption(), transport: this.#socket.transport ?? 'tcp',
      remoteIp: this.remoteIp, remotePort: this.remotePort,
      localIp: normalizeIp('address' in local ? String(local.address) : ''), localPort: 'port' in local ? Number(local.port) : 0,
      startedAt: this.startedAt, maxRequestQueue: this.#i.maxRequestQueue, clientVersion: this.#i.clientVersion,
      ...(presented ? { handshakeStyle: presented.handshakeStyle, reqq: presented.reqq } : {}),
      ...(this.#i.progress ? { progress: this.#i.progress } : {}),
    }, { link: this, choker: this.#c.choker, limiter: this.#c.limiter, publish: (o) => this.#c.publish(o), now: this.#c.now });
    clearTimeout(this.#deadline);
    this.#socket.setTimeout(this.#i.idleTimeoutMs);
    this.#session.open();
  }

  #encryption(): Encryption {
    if (!this.#cipher) return 'none';
    return this.#cipher.method === 'rc4' ? 'mse-rc4' : 'mse-plaintext';
  }

  /** Idempotent. Routed sessions become a delivery observation; others a rejected-connection one. */
  close(reason: string): void {
    if (this.#phase === 'closed') return;
    this.#phase = 'closed';
    clearTimeout(this.#deadline);
    if (this.#session) this.#session.finish(reason);
    else {
      // Every accepted connection leaves a record, even one closed before its first byte, so the
      // log accounts for every connection a packet capture shows (the seeder caps these per second).
      const why = reason === 'peer-closed' && this.#infoHashHex === null ? 'peer-closed-before-handshake' : reason;
      this.#c.publish({ kind: 'rejected-connection', at: this.#c.now(), remoteIp: this.remoteIp, remotePort: this.remotePort, infoHash: this.#infoHashHex, reason: why });
    }
    this.#socket.destroy();
    this.#c.onClose(this);
  }
}

/** A socket's address in the one spelling (domain/ip-address.ts): "::ffff:1.2.3.4" (dual-stack sockets) -> "1.2.3.4", IPv6 per RFC 5952. */
export function normalizeIp(ip: string): string {
  return socketIp(ip);
}

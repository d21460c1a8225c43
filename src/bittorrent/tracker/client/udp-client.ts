/**
 * BEP 15 UDP tracker client. One dgram socket serves every UDP tracker;
 * replies are matched by transaction id AND source address. Connection ids
 * are cached per tracker address for 60 s (BEP 15), and concurrent announces
 * to one tracker share a single connect. Retries are bounded: BEP 15's
 * 15 * 2^n s schedule (up to an hour) is far too slow for a seeder.
 */
import { randomInt } from 'node:crypto';
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { TrackerCodecError } from '../codec/errors.ts';
import type { AnnounceRequest, AnnounceResponse } from '../codec/types.ts';
import * as udp from '../codec/udp.ts';
import { TrackerFailureError, TrackerRequestError, TrackerTimeoutError } from './errors.ts';
import { Slots } from './slots.ts';
import { UdpAddressResolver, type UdpAddress } from './udp-address.ts';

export const DEFAULT_UDP_TIMEOUTS_MS: readonly number[] = [5_000, 10_000, 15_000];
/** BEP 15: a client may use a connection id until one minute after receiving it. */
export const CONNECTION_ID_TTL_MS = 60_000;
export const DEFAULT_MAX_IN_FLIGHT = 256;
const MAX_CACHED_CONNECTIONS = 10_000;

export interface UdpTrackerClientInit {
  readonly localAddress?: string;
  /** One entry per try: how long to wait for each attempt's answer. */
  readonly timeoutsMs?: readonly number[];
  /** Announces in progress at once; further callers wait for a slot. */
  readonly maxInFlight?: number;
  readonly now?: () => number;
}

export interface UdpClientStats {
  connectsSent: number;
  announcesSent: number;
  /** Datagrams that matched no transaction or came from the wrong address. */
  ignored: number;
}

interface Pending {
  readonly from: UdpAddress;
  readonly action: number;
  readonly settle: (packet: Uint8Array | Error | null) => void;
}

type Outcome = Uint8Array | null;

export class UdpTrackerClient {
  readonly #localAddress: string | undefined;
  readonly #family: 4 | 6;
  readonly #timeouts: readonly number[];
  readonly #now: () => number;
  readonly #slots: Slots;
  readonly #resolver: UdpAddressResolver;
  readonly #pending = new Map<number, Pending>();
  readonly #ids = new Map<string, { id: bigint; at: number }>();
  readonly #connecting = new Map<string, Promise<bigint | null>>();
  #socket: Promise<Socket> | undefined;
  #closed = false;
  readonly stats: UdpClientStats = { connectsSent: 0, announcesSent: 0, ignored: 0 };

  constructor(init: UdpTrackerClientInit = {}) {
    this.#localAddress = init.localAddress;
    this.#family = init.localAddress?.includes(':') === true ? 6 : 4;
    this.#timeouts = init.timeoutsMs ?? DEFAULT_UDP_TIMEOUTS_MS;
    if (this.#timeouts.length < 1 || this.#timeouts.length > 8) throw new RangeError('timeoutsMs needs 1..8 entries');
    this.#now = init.now ?? Date.now;
    this.#slots = new Slots(init.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT);
    this.#resolver = new UdpAddressResolver(this.#family, this.#now);
  }

  async announce(tracker: string, req: AnnounceRequest, opts: { signal?: AbortSignal } = {}): Promise<AnnounceResponse> {
    const to = await this.#resolver.resolve(tracker, opts.signal);
    await this.#slots.acquire(opts.signal);
    try {
      for (const timeoutMs of this.#timeouts) {
        const cid = await this.#connectionId(to, timeoutMs, opts.signal);
        if (cid === null) continue;
        const packet = await this.#transact(to, udp.ACTION_ANNOUNCE, timeoutMs, opts.signal, (transactionId) => {
          this.stats.announcesSent++;
          return udp.encodeAnnounceRequest(toUdpAnnounce(req, cid, transactionId));
        });
        if (packet !== null) return decodeAnnounce(packet, this.#family);
        // No answer: the id may have expired on the tracker's side, so connect afresh next time.
        if (this.#ids.get(to.key)?.id === cid) this.#ids.delete(to.key);
      }
      throw new TrackerTimeoutError(`no answer from ${tracker} after ${this.#timeouts.length} tries`);
    } finally {
      this.#slots.release();
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const p of this.#pending.values()) p.settle(new TrackerRequestError('UDP tracker client closed'));
    this.#pending.clear();
    const s = this.#socket;
    this.#socket = undefined;
    if (s !== undefined) {
      const sock = await s.catch(() => undefined);
      if (sock !== undefined) await new Promise<void>((resolve) => sock.close(() => resolve()));
    }
  }

  #connectionId(to: UdpAddress, timeoutMs: number, signal?: AbortSignal): Promise<bigint | null> {
    const hit = this.#ids.get(to.key);
    if (hit !== undefined && this.#now() - hit.at < CONNECTION_ID_TTL_MS) return Promise.resolve(hit.id);
    const running = this.#connecting.get(to.key);
    if (running !== undefined) return running;
    const p = this.#transact(to, udp.ACTION_CONNECT, timeoutMs, signal, (tid) => {
      this.stats.connectsSent++;
      return udp.encodeConnectRequest(tid);
    }).then((packet) => {
      if (packet === null) return null;
      const id = decodeOrThrow(() => udp.decodeConnectResponse(packet)).connectionId;
      this.#ids.delete(to.key);
      if (this.#ids.size >= MAX_CACHED_CONNECTIONS) this.#ids.delete(this.#ids.keys().next().value!);
      this.#ids.set(to.key, { id, at: this.#now() });
      return id;
    }).finally(() => this.#connecting.delete(to.key));
    this.#connecting.set(to.key, p);
    return p;
  }

  /** Sends one request and waits for the matching reply; null on timeout. */
  async #transact(to: UdpAddress, action: number, timeoutMs: number, signal: AbortSignal | undefined, build: (tid: number) => Uint8Array): Promise<Outcome> {
    signal?.throwIfAborted();
    const socket = await this.#getSocket();
    let tid: number;
    do tid = randomInt(0, 2 ** 32 - 1); while (this.#pending.has(tid));
    const packet = build(tid);
    const result = new Promise<Outcome>((resolve, reject) => {
      const timer = setTimeout(() => settle(null), timeoutMs);
      const onAbort = (): void => settle(signal!.reason instanceof Error ? signal!.reason : new Error('aborted'));
      const settle = (r: Uint8Array | Error | null): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.#pending.delete(tid);
        if (r instanceof Error) reject(r);
        else resolve(r);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#pending.set(tid, { from: to, action, settle });
    });
    socket.send(packet, to.port, to.address, (err) => {
      // A send error (e.g. unreachable) just makes this try time out; the loop retries.
      if (err !== null) this.stats.ignored++;
    });
    return result;
  }

  #getSocket(): Promise<Socket> {
    if (this.#closed) return Promise.reject(new TrackerRequestError('UDP tracker client closed'));
    this.#socket ??= new Promise<Socket>((resolve, reject) => {
      const s = createSocket({ type: this.#family === 6 ? 'udp6' : 'udp4' });
      s.on('message', (msg, r) => this.#onMessage(msg, r));
      s.once('error', reject);
      s.bind(0, this.#localAddress, () => {
        s.off('error', reject);
        s.on('error', () => { this.stats.ignored++; });
        s.unref();
        resolve(s);
      });
    });
    return this.#socket;
  }

  #onMessage(msg: Buffer, r: RemoteInfo): void {
    const packet = new Uint8Array(msg.buffer, msg.byteOffset, msg.length);
    const head = udp.peekHeader(packet, 0);
    const p = head === null ? undefined : this.#pending.get(head.transactionId);
    // Off-path spoofing defence: the reply must come from the address we asked.
    if (head === null || p === undefined || r.address !== p.from.address || r.port !== p.from.port) { this.stats.ignored++; return; }
    if (head.action === udp.ACTION_ERROR) {
      let message = 'error without a message';
      try { message = udp.decodeErrorResponse(packet).message; } catch { /* keep the generic text */ }
      p.settle(new TrackerFailureError(`udp://${r.address}:${r.port}`, message));
    } else if (head.action === p.action) {
      p.settle(packet.slice());
    } else {
      this.stats.ignored++;
    }
  }
}

function decodeOrThrow<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof TrackerCodecError) throw new TrackerRequestError(e.message);
    throw e;
  }
}

function decodeAnnounce(packet: Uint8Array, family: 4 | 6): AnnounceResponse {
  const r = decodeOrThrow(() => udp.decodeAnnounceResponse(packet, family));
  return { interval: r.interval, complete: r.seeders, incomplete: r.leechers, peers: r.peers };
}

/** Our key travels as 8 hex digits over HTTP; BEP 15 carries the same value as a u32. */
function keyU32(key: string | undefined): number {
  return key !== undefined && /^[0-9a-fA-F]{1,8}$/.test(key) ? parseInt(key, 16) : 0;
}

function toUdpAnnounce(req: AnnounceRequest, connectionId: bigint, transactionId: number): udp.UdpAnnounceRequest {
  const u64 = (n: number): bigint => BigInt(Math.max(0, Math.trunc(n)));
  return {
    connectionId, transactionId, infoHash: req.infoHash, peerId: req.peerId,
    downloaded: u64(req.downloaded), left: u64(req.left), uploaded: u64(req.uploaded), event: req.event,
    // BEP 15: ip 0 = "use the source address"; a claimed ip is only honoured by trackers for IPv4 anyway.
    ip: 0, key: keyU32(req.key), numWant: req.numWant ?? -1, port: req.port,
  };
}

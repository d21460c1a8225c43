import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { lookup as dnsLookup, type LookupOneOptions } from 'node:dns';
import { isIP } from 'node:net';
import { loadUdpBatch, socketFd, type UdpBatchAddon } from './udp-batch.ts';

/** Where a datagram came from, as both consumers need it. */
export interface DatagramSource { address: string; port: number }
export type DatagramHandler = (msg: Buffer, from: DatagramSource) => void;

/** A consumer's view of a UDP port: send, its address, and detach. */
export interface UdpEndpoint {
  send(datagram: Uint8Array, port: number, ip: string): void;
  address(): { address: string; port: number };
  /** Detaches this consumer; the socket closes when no consumer is left. */
  close(): Promise<void>;
}

/** Opens a UDP endpoint for one consumer on host:port (the DHT's hook: shared or its own socket). */
export type OpenUdp = (host: string, port: number, onMessage: DatagramHandler) => Promise<UdpEndpoint>;

export type UdpConsumer = 'krpc' | 'utp';

/** Sends datagrams to one destination (see UdpPort.sender). */
export type DatagramSender = (datagram: Buffer) => void;

/** Datagrams waiting for the end of this event-loop turn, for one destination. */
interface Destination {
  readonly port: number;
  readonly ip: string;
  readonly out: Buffer[];
  /** How this destination's batches go: a route the kernel refuses GSO on (a path MTU below the segment, EINVAL) steps down to sendmmsg, for it alone. */
  mode: BatchMode;
}

type BatchMode = 'gso' | 'mmsg' | 'off';

/** Largest UDP payload: a GSO batch (all its datagrams together) stays under it. */
const MAX_UDP_PAYLOAD = 65_507;
/** Datagrams queued at most before they are sent at once rather than at the end of the turn (bounded memory). */
const MAX_QUEUED = 4096;
/** errno values after which the same batch may work later: the datagrams go through Node's own send. */
const EAGAIN = 11;
const ENOBUFS = 105;

/**
 * Kernel buffer asked for on the shared UDP socket, each way (Transmission asks the same 4 MiB for its
 * uTP socket, tr-udp.c). Every uTP peer acks every data packet we send, so at 8 downloaders the
 * socket receives some 30,000 small datagrams a second; the kernel's default (net.core.rmem_default,
 * 208 KiB, a few hundred datagrams) overflowed whenever the event loop paused for 10 ms, and dropped
 * 2,500-4,500 of the downloaders' datagrams per bench:utp round, request packets among them.
 * Linux caps the request at net.core.rmem_max / wmem_max: bind() logs what it got when that is less.
 */
export const UDP_SOCKET_BUFFER_BYTES = 4 << 20;

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string, family: number) => void;

/**
 * dgram resolves the destination of every send, even an address literal, through dns.lookup, which
 * answers a literal on the next tick: a closure, a tick and a validation per datagram. Issue 10's uTP
 * target (CPU per GB <= libtorrent's) sends ~750,000 datagrams per GB, each to an address literal:
 * answered here at once, the send path took 0.46-0.54 instead of 0.77-0.81 us of user CPU per
 * 1,400-byte datagram (3 runs each, a sink in another process). Host names still go to dns.lookup.
 */
export function literalLookup(host: string, options: LookupOneOptions | number, cb: LookupCallback): void {
  const f = isIP(host);
  if (f !== 0) { cb(null, host, f); return; }
  // dgram passes the socket's family as a number (Node 24), its typings say an options object.
  dnsLookup(host, typeof options === 'number' ? { family: options } : options, (e, address, fam) => cb(e, address, fam));
}

/**
 * One UDP socket shared by the DHT and uTP, as libtorrent does: real clients connect uTP to the
 * port number the tracker and DHT announced, which is the peer port, and by default our DHT listens
 * on that same number. Datagrams are told apart by their first byte: bencoded KRPC is a dictionary
 * ('d', 0x64); a uTP packet starts with type << 4 | version 1 (BEP 29). Anything else is counted and dropped.
 * udp4 or udp6 from the host's family, so an IPv6 listener is the same code.
 */
export class UdpPort {
  readonly #socket: Socket;
  readonly #handlers: Partial<Record<UdpConsumer, DatagramHandler>> = {};
  #open = true;
  dropped = 0;
  /**
   * The native batch path (udp-batch.ts): 'gso' one sendmsg per run of equal-size datagrams,
   * 'mmsg' one sendmmsg per run, 'off' Node's socket.send per datagram. Each destination steps down
   * on its own when the kernel refuses (GSO needs Linux >= 4.18, and a segment that fits the route's
   * MTU); the port goes 'off' only if the addon itself refuses its arguments. Nothing steps back up.
   */
  #mode: BatchMode;
  /** Step-downs already logged (one line per kind, not one per peer). */
  readonly #logged = new Set<string>();
  readonly #addon: UdpBatchAddon | undefined;
  readonly #fd: number;
  readonly #family: 4 | 6;
  readonly #log: ((m: string) => void) | undefined;
  #due: Destination[] = [];
  #queued = 0;
  #scheduled = false;
  /** Counters for tests and benchmarks: datagrams sent through each path, and system calls made by the batch path. */
  readonly sendStats = { batched: 0, batchCalls: 0, single: 0 };

  private constructor(socket: Socket, family: 4 | 6, addon: UdpBatchAddon | undefined, log?: (m: string) => void) {
    this.#socket = socket;
    this.#family = family;
    this.#log = log;
    this.#fd = addon ? socketFd(socket) : -1;
    this.#addon = this.#fd >= 0 ? addon : undefined;
    this.#mode = this.#addon ? 'gso' : 'off';
    socket.on('message', (msg: Buffer, r: RemoteInfo) => this.#dispatch(msg, r));
  }

  /** `batch`: the native send path, when built (default: loaded unless COUNTERSEED_UDP_BATCH=off); null forces Node's own sends. */
  static async bind(host: string, port: number, log?: (m: string) => void, batch: UdpBatchAddon | null = loadUdpBatch() ?? null): Promise<UdpPort> {
    // ipv6Only: an IPv6 node on "::" must not also take IPv4 datagrams (they belong to the IPv4 node's table).
    const socket = createSocket(isIP(host) === 6 ? { type: 'udp6', ipv6Only: true, reuseAddr: false, lookup: literalLookup } : { type: 'udp4', reuseAddr: false, lookup: literalLookup });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, host, () => { socket.off('error', reject); resolve(); });
    });
    // A send to an unreachable address reports here; it must never take the process down.
    socket.on('error', (e) => log?.(`udp ${host}:${port}: ${e.message}`));
    socket.setRecvBufferSize(UDP_SOCKET_BUFFER_BYTES);
    socket.setSendBufferSize(UDP_SOCKET_BUFFER_BYTES);
    // Linux reports twice what it grants (its bookkeeping overhead), capped by the sysctl maximum.
    const got = socket.getRecvBufferSize();
    if (got < UDP_SOCKET_BUFFER_BYTES) {
      log?.(`udp ${host}:${socket.address().port}: receive buffer ${got >> 10} KiB, not ${UDP_SOCKET_BUFFER_BYTES >> 10} KiB ` +
        `(net.core.rmem_max caps it): uTP peers' packets may be dropped under load; raise it with sysctl -w net.core.rmem_max=${UDP_SOCKET_BUFFER_BYTES}`);
    }
    return new UdpPort(socket, isIP(host) === 6 ? 6 : 4, batch ?? undefined, log);
  }

  /** How this port sends what sender() queues: 'gso', 'mmsg' (native batches) or 'off' (one socket.send each). */
  get batchMode(): BatchMode { return this.#mode; }

  #dispatch(msg: Buffer, r: RemoteInfo): void {
    if (msg.length === 0) { this.dropped++; return; }
    const b = msg[0]!;
    const h = b === 0x64 ? this.#handlers.krpc : (b & 0x0f) === 1 && b >> 4 <= 4 ? this.#handlers.utp : undefined;
    // RemoteInfo is a DatagramSource already: no second object per datagram (every uTP ack is one).
    if (h) h(msg, r);
    else this.dropped++;
  }

  /** Attaches one consumer (one per kind). */
  attach(kind: UdpConsumer, onMessage: DatagramHandler): UdpEndpoint {
    if (this.#handlers[kind]) throw new Error(`udp port already has a ${kind} consumer`);
    this.#handlers[kind] = onMessage;
    return {
      send: (d, port, ip) => this.send(d, port, ip),
      address: () => this.address(),
      close: async () => {
        if (this.#handlers[kind] === onMessage) delete this.#handlers[kind];
        if (!this.#handlers.krpc && !this.#handlers.utp) await this.close();
      },
    };
  }

  has(kind: UdpConsumer): boolean { return this.#handlers[kind] !== undefined; }

  /** The kernel's receive buffer for this socket, in bytes as Linux reports it. */
  get receiveBufferBytes(): number { return this.#socket.getRecvBufferSize(); }

  send(d: Uint8Array, port: number, ip: string): void {
    if (this.#open) this.#socket.send(d, port, ip);
  }

  /**
   * A sender for one destination (one uTP connection's peer). With the native path, what it is given
   * during one event-loop turn is sent at the end of the turn (setImmediate), in order, as few system
   * calls as the sizes allow: a uTP flush writes 1-16 full-size DATA packets to one peer, and the acks
   * that arrive in one turn trigger several flushes. Without it, each datagram goes out at once.
   * Safe with the packet pool (packet-pool.ts): a queued packet cannot be acknowledged before it is
   * sent, and the kernel has copied it when the call returns.
   */
  sender(port: number, ip: string): DatagramSender {
    if (this.#mode === 'off' || isIP(ip) !== this.#family || ip.includes('%')) return (d) => { this.send(d, port, ip); this.sendStats.single++; };
    const dest: Destination = { port, ip, out: [], mode: this.#mode };
    return (d) => {
      if (!this.#open) return;
      if (dest.out.length === 0) this.#due.push(dest);
      dest.out.push(d);
      if (++this.#queued >= MAX_QUEUED) this.#flushDue();
      else if (!this.#scheduled) { this.#scheduled = true; setImmediate(this.#onImmediate); }
    };
  }

  readonly #onImmediate = (): void => { this.#scheduled = false; this.#flushDue(); };

  #flushDue(): void {
    const due = this.#due;
    this.#due = [];
    this.#queued = 0;
    for (const dest of due) {
      if (this.#open) this.#sendAll(dest);
      dest.out.length = 0;
    }
  }

  /** Sends a destination's queue in order: runs of datagrams through the addon, the rest (and all, once off) through socket.send. */
  #sendAll(dest: Destination): void {
    const { out: list, port, ip } = dest;
    let i = 0;
    while (i < list.length) {
      const addon = this.#addon;
      if (this.#mode === 'off' || dest.mode === 'off' || !addon) {
        for (; i < list.length; i++) { this.#socket.send(list[i]!, port, ip); this.sendStats.single++; }
        return;
      }
      // GSO: every datagram of a run but the last has the first one's size, the last at most that.
      const gso = dest.mode === 'gso';
      const seg = list[i]!.length;
      let j = i + 1;
      let total = seg;
      while (j < list.length && j - i < addon.maxBatch &&
        (!gso || (list[j - 1]!.length === seg && list[j]!.length <= seg && total + list[j]!.length <= MAX_UDP_PAYLOAD))) {
        total += list[j]!.length;
        j++;
      }
      const run = i === 0 && j === list.length ? list : list.slice(i, j);
      let sent: number;
      try {
        sent = addon.send(this.#fd, this.#family, ip, port, run, gso ? seg : 0);
      } catch (e) {
        sent = 0;
        this.#mode = 'off';
        this.#say('off', (e as Error).message);
      }
      this.sendStats.batchCalls++;
      if (sent > 0) this.sendStats.batched += sent;
      if (sent < 0 && -sent !== EAGAIN && -sent !== ENOBUFS) {
        dest.mode = gso ? 'mmsg' : 'off';
        this.#say(dest.mode, `errno ${-sent}`);
      }
      // What the kernel did not take goes through Node's path (libuv queues it when the socket is full).
      for (let k = i + Math.max(0, sent); k < j; k++) { this.#socket.send(list[k]!, port, ip); this.sendStats.single++; }
      i = j;
    }
  }

  #say(to: BatchMode, why: string): void {
    if (this.#logged.has(`${to}|${why}`)) return;
    this.#logged.add(`${to}|${why}`);
    this.#log?.(`udp: a batched send failed (${why}); ${to === 'mmsg' ? 'sendmmsg' : "Node's socket.send"} for that peer from now on${this.#mode === 'off' ? ' (every peer)' : ''}`);
  }

  address(): { address: string; port: number } {
    const a = this.#socket.address();
    return { address: a.address, port: a.port };
  }

  async close(): Promise<void> {
    if (!this.#open) return;
    // What this turn queued leaves first (a FIN among it), then the socket closes.
    this.#flushDue();
    this.#open = false;
    await new Promise<void>((r) => this.#socket.close(() => r()));
  }
}

/** The DHT's default when nothing shares its port: a socket of its own. */
export const openOwnUdp: OpenUdp = async (host, port, onMessage) => (await UdpPort.bind(host, port)).attach('krpc', onMessage);

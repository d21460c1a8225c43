import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIP } from 'node:net';

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

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('message', (msg: Buffer, r: RemoteInfo) => this.#dispatch(msg, r));
  }

  static async bind(host: string, port: number, log?: (m: string) => void): Promise<UdpPort> {
    // ipv6Only: an IPv6 node on "::" must not also take IPv4 datagrams (they belong to the IPv4 node's table).
    const socket = createSocket(isIP(host) === 6 ? { type: 'udp6', ipv6Only: true, reuseAddr: false } : { type: 'udp4', reuseAddr: false });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, host, () => { socket.off('error', reject); resolve(); });
    });
    // A send to an unreachable address reports here; it must never take the process down.
    socket.on('error', (e) => log?.(`udp ${host}:${port}: ${e.message}`));
    return new UdpPort(socket);
  }

  #dispatch(msg: Buffer, r: RemoteInfo): void {
    if (msg.length === 0) { this.dropped++; return; }
    const b = msg[0]!;
    const h = b === 0x64 ? this.#handlers.krpc : (b & 0x0f) === 1 && b >> 4 <= 4 ? this.#handlers.utp : undefined;
    if (h) h(msg, { address: r.address, port: r.port });
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

  send(d: Uint8Array, port: number, ip: string): void {
    if (this.#open) this.#socket.send(d, port, ip);
  }

  address(): { address: string; port: number } {
    const a = this.#socket.address();
    return { address: a.address, port: a.port };
  }

  async close(): Promise<void> {
    if (!this.#open) return;
    this.#open = false;
    await new Promise<void>((r) => this.#socket.close(() => r()));
  }
}

/** The DHT's default when nothing shares its port: a socket of its own. */
export const openOwnUdp: OpenUdp = async (host, port, onMessage) => (await UdpPort.bind(host, port)).attach('krpc', onMessage);

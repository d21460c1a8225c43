import { randomInt } from 'node:crypto';
import { decodePacket, encodePacket, HEADER_BYTES, seqAdd, ST_RESET, ST_SYN, UtpPacketError, type UtpPacket } from './packet.ts';
import { PacketPool } from './packet-pool.ts';
import { DEFAULT_UTP_LIMITS, UtpStream, type UtpLimits } from './utp-stream.ts';

export interface UtpMultiplexerInit {
  localIp: string;
  localPort: number;
  limits?: UtpLimits;
  /**
   * Half-open connections: a SYN answered whose peer has not yet shown it got our answer (a packet
   * acknowledging our random first seq_nr). Like SYN cookies, a spoofed-source SYN flood costs us
   * at most these, and none of them reaches the seeder or the evidence log.
   */
  maxHalfOpen: number;
  maxHalfOpenPerIp: number;
  halfOpenTimeoutMs: number;
  /** Connections at all, half-open or not (the seeder's own admission limits apply on top). */
  maxConnections: number;
  /** RESETs we send per second for packets of unknown connections (each is a 20-byte reply: no amplification, but bounded). */
  resetsPerSecond: number;
  tickMs: number;
  /** The short timer of connections with data in flight (their tail-loss probe, utp-stream.ts MIN_PROBE_MS); it runs only while some have. */
  sendingTickMs: number;
}

export const DEFAULT_MUX: Omit<UtpMultiplexerInit, 'localIp' | 'localPort'> = {
  maxHalfOpen: 256, maxHalfOpenPerIp: 8, halfOpenTimeoutMs: 10_000, maxConnections: 4096, resetsPerSecond: 100, tickMs: 100, sendingTickMs: 5,
};

export interface UtpMultiplexerComponents {
  send(datagram: Buffer, port: number, ip: string): void;
  /** A sender bound to one peer, made once per connection (UdpPort.sender: batched sends); else send() is used. */
  sender?(port: number, ip: string): (datagram: Buffer) => void;
  /** A confirmed connection, for the seeder (it may destroy it at once when its limits refuse). */
  onAccept(s: UtpStream): void;
  nowMs?(): number;
  log?(msg: string): void;
}

export interface UtpStats {
  badPackets: number;
  refusedSyns: number;
  resetsSent: number;
  unknownConnection: number;
  accepted: number;
}

/** "::ffff:1.2.3.4" (dual-stack sockets) -> "1.2.3.4". */
function plainIp(ip: string): string { return ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip; }

/**
 * Every uTP connection on one UDP port, keyed by (address, port, connection id) as BEP 29 keys
 * them: a packet whose key matches no connection is never routed to another peer's, whatever
 * connection id it forges. One timer drives every connection's retransmissions and timeouts; a
 * shorter one, armed only while some connection has data in flight, ticks those (tail-loss probes).
 */
export class UtpMultiplexer {
  readonly #i: UtpMultiplexerInit;
  readonly #c: UtpMultiplexerComponents;
  readonly #limits: UtpLimits;
  readonly #conns = new Map<string, UtpStream>();
  readonly #halfOpen = new Map<UtpStream, { key: string; ip: string; at: number }>();
  readonly #halfOpenPerIp = new Map<string, number>();
  #resetWindow = 0;
  #resetsInWindow = 0;
  #timer: NodeJS.Timeout | undefined;
  /** Connections with data in flight, and the short timer that ticks them (armed only while there are some). */
  readonly #sending = new Set<UtpStream>();
  #sendingTimer: NodeJS.Timeout | undefined;
  #stopped = false;
  readonly stats: UtpStats = { badPackets: 0, refusedSyns: 0, resetsSent: 0, unknownConnection: 0, accepted: 0 };
  /** Free DATA packet buffers kept for reuse: 1,024 x 1,400 B, about 1.4 MB at most. */
  readonly #pool: PacketPool;

  constructor(init: UtpMultiplexerInit, components: UtpMultiplexerComponents) {
    this.#i = init;
    this.#c = components;
    this.#limits = init.limits ?? DEFAULT_UTP_LIMITS;
    this.#pool = new PacketPool(HEADER_BYTES + this.#limits.mss, 1024);
  }

  start(): void {
    this.#timer = setInterval(() => this.tick(), this.#i.tickMs);
    this.#timer.unref();
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#sendingTimer) clearTimeout(this.#sendingTimer);
    this.#sendingTimer = undefined;
    this.#sending.clear();
    for (const s of [...this.#conns.values()]) s.destroy();
  }

  get size(): number { return this.#conns.size; }
  get halfOpen(): number { return this.#halfOpen.size; }

  #now(): number { return this.#c.nowMs?.() ?? Date.now(); }
  /** uTP timestamps: microseconds, wrapping at 2^32 (BEP 29); a monotonic clock, so wall-clock steps cannot fake delay. */
  #nowUs(): number { return (performance.now() * 1000) >>> 0; }

  /** One datagram from the UDP port. Never throws. */
  onDatagram(msg: Uint8Array, from: { address: string; port: number }): void {
    if (this.#stopped) return;
    let p: UtpPacket;
    try { p = decodePacket(msg); } catch (e) {
      if (e instanceof UtpPacketError) { this.stats.badPackets++; return; }
      throw e;
    }
    const ip = plainIp(from.address);
    if (p.type === ST_SYN) { this.#syn(p, ip, from); return; }
    const s = this.#conns.get(key(ip, from.port, p.connectionId));
    if (!s) {
      this.stats.unknownConnection++;
      if (p.type !== ST_RESET) this.#reset(p, from);
      return;
    }
    const wasConfirmed = s.confirmed;
    s.onPacket(p);
    if (!wasConfirmed && s.confirmed && !s.isClosed) {
      this.#leaveHalfOpen(s);
      this.stats.accepted++;
      this.#c.onAccept(s);
    }
  }

  #syn(p: UtpPacket, ip: string, from: { address: string; port: number }): void {
    const k = key(ip, from.port, p.connectionId + 1);
    const existing = this.#conns.get(k);
    if (existing) { existing.onPacket(p); return; }
    const perIp = this.#halfOpenPerIp.get(ip) ?? 0;
    if (this.#halfOpen.size >= this.#i.maxHalfOpen || perIp >= this.#i.maxHalfOpenPerIp || this.#conns.size >= this.#i.maxConnections) {
      // Silently: a RESET to a spoofed source would make us a reflector.
      this.stats.refusedSyns++;
      return;
    }
    const out = this.#c.sender?.(from.port, from.address) ?? ((d: Buffer) => this.#c.send(d, from.port, from.address));
    const s = new UtpStream({
      remoteIp: ip, remotePort: from.port, localIp: this.#i.localIp, localPort: this.#i.localPort,
      synConnectionId: p.connectionId, synSeq: p.seqNr, seq: randomInt(0, 0x10000), limits: this.#limits,
    }, {
      send: out,
      nowMs: () => this.#now(), nowUs: () => this.#nowUs(), pool: this.#pool,
      onClose: (x) => { this.#leaveHalfOpen(x); this.#sending.delete(x); if (this.#conns.get(k) === x) this.#conns.delete(k); },
      onSending: (x) => this.#onSending(x),
    });
    // A connection that errors before anyone listens must not crash the process.
    s.on('error', () => {});
    this.#conns.set(k, s);
    this.#halfOpen.set(s, { key: k, ip, at: this.#now() });
    this.#halfOpenPerIp.set(ip, perIp + 1);
    s.sendSynAck();
  }

  #leaveHalfOpen(s: UtpStream): void {
    const h = this.#halfOpen.get(s);
    if (!h) return;
    this.#halfOpen.delete(s);
    const n = this.#halfOpenPerIp.get(h.ip) ?? 1;
    if (n <= 1) this.#halfOpenPerIp.delete(h.ip); else this.#halfOpenPerIp.set(h.ip, n - 1);
  }

  #reset(p: UtpPacket, from: { address: string; port: number }): void {
    const sec = Math.floor(this.#now() / 1000);
    if (sec !== this.#resetWindow) { this.#resetWindow = sec; this.#resetsInWindow = 0; }
    if (this.#resetsInWindow >= this.#i.resetsPerSecond) return;
    this.#resetsInWindow++;
    this.stats.resetsSent++;
    // BEP 29: a RESET carries the connection id the peer sent with, and acks its seq_nr.
    this.#c.send(encodePacket({
      type: ST_RESET, connectionId: p.connectionId, timestampUs: this.#nowUs(), timestampDiffUs: 0, wndSize: 0,
      seqNr: randomInt(0, 0x10000), ackNr: seqAdd(p.seqNr, 0),
    }), from.port, from.address);
  }

  #onSending(s: UtpStream): void {
    if (this.#stopped) return;
    this.#sending.add(s);
    if (!this.#sendingTimer && this.#timer) {
      this.#sendingTimer = setTimeout(() => this.#tickSending(), this.#i.sendingTickMs);
      this.#sendingTimer.unref();
    }
  }

  #tickSending(): void {
    this.#sendingTimer = undefined;
    const now = this.#now();
    // Deleting from a Set while iterating it is safe (a stream the probe destroys leaves it too).
    for (const s of this.#sending) {
      try { if (!s.probeTick(now)) this.#sending.delete(s); } catch (e) { this.#c.log?.(`utp tick: ${(e as Error).message}`); s.destroy(); }
    }
    if (this.#sending.size > 0 && !this.#stopped) {
      this.#sendingTimer = setTimeout(() => this.#tickSending(), this.#i.sendingTickMs);
      this.#sendingTimer.unref();
    }
  }

  /** One step of the shared timer (exposed so tests can drive time). */
  tick(): void {
    const now = this.#now();
    for (const [s, h] of [...this.#halfOpen]) if (now - h.at >= this.#i.halfOpenTimeoutMs) s.destroy();
    for (const s of [...this.#conns.values()]) {
      try { s.tick(now); } catch (e) { this.#c.log?.(`utp tick: ${(e as Error).message}`); s.destroy(); }
    }
  }
}

function key(ip: string, port: number, connectionId: number): string {
  return `${ip}|${port}|${connectionId & 0xffff}`;
}

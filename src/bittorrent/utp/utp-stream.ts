import { Duplex } from 'node:stream';
import { Ledbat } from './ledbat.ts';
import {
  encodePacket, HEADER_BYTES, seqAdd, seqDiff, ST_DATA, ST_FIN, ST_RESET, ST_STATE, ST_SYN, writeHeaderFields,
  type PacketType, type UtpPacket,
} from './packet.ts';
import type { PacketPool } from './packet-pool.ts';
import { ReceiveBuffer } from './receive-buffer.ts';
import { SendQueue } from './send-queue.ts';
import { SendWindow, type InFlight } from './send-window.ts';
import type { UtpLimits } from './utp-limits.ts';

export { DEFAULT_UTP_LIMITS, type UtpLimits } from './utp-limits.ts';

export interface UtpStreamInit {
  remoteIp: string;
  remotePort: number;
  localIp: string;
  localPort: number;
  /** Connection id the peer's SYN carried: we send with it; the peer sends with it + 1 (BEP 29). */
  synConnectionId: number;
  synSeq: number;
  /** Our first sequence number (random). */
  seq: number;
  limits: UtpLimits;
}

export interface UtpStreamComponents {
  send(datagram: Buffer): void;
  nowMs(): number;
  /** Microsecond clock for uTP timestamps (wraps at 2^32). */
  nowUs(): number;
  /** Called once when the connection is gone (the multiplexer forgets it). */
  onClose(s: UtpStream): void;
  /** Data went out with nothing in flight before: tick() is wanted every few ms until nothing is (the tail-loss probe's timer). */
  onSending?(s: UtpStream): void;
  /** Buffers for full-size DATA packets (header + mss bytes), shared by a multiplexer's connections. */
  pool?: PacketPool;
}

type State = 'syn-recv' | 'connected' | 'closed';

/** A peer that shows a zero window: after this long with nothing in flight we send one packet anyway (libutp probes after 15 s). */
const ZERO_WINDOW_PROBE_MS = 1000;
/**
 * Packets sent per flush at most: acks clock out the rest. Sending a whole 1 MiB window at once
 * overflowed downloaders' UDP receive buffers on loopback (hundreds of losses per burst).
 */
const MAX_BURST = 16;
/** How much older than our oldest packet in flight a peer's ack_nr may be: more than a full window of packets (1 MiB / 1,380 B). */
const STALE_ACK_PACKETS = 1024;
/**
 * Tail-loss probe (after RFC 8985 section 7, TLP): with packets in flight and no ack of anything new
 * for max(2 x smoothed RTT, this), the oldest packet in the network goes out again, once, instead of
 * waiting for the RTO (500 ms at least). Its ack shows, by transmission order (send-window.ts ack()),
 * that everything sent before it and still unacknowledged was lost. A whole tail lost leaves nothing
 * after it to be acked: on loopback that happened about once per 32 MiB download, when a burst
 * overflowed the downloader's socket buffer (bench/README.md, issue 10 N=1). RFC 8985 resends the
 * newest packet, for its selective ack; libtorrent's selective ack reaches only as many packets past
 * ack_nr as its reorder buffer spans, so a probe far past a lost tail was never acknowledged.
 * A needless probe costs one packet.
 */
export const MIN_PROBE_MS = 10;

/**
 * One accepted uTP connection (responder side, BEP 29) as a Duplex stream, so that the same MSE and
 * peer-wire layers run on it as on a TCP socket. It exposes the few net.Socket members they use
 * (remoteAddress, address(), setTimeout/'timeout', setNoDelay). The multiplexer feeds it packets and
 * calls tick() on one shared timer: no timer per connection.
 */
export class UtpStream extends Duplex {
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly transport = 'utp' as const;
  readonly #i: UtpStreamInit;
  readonly #c: UtpStreamComponents;
  readonly #cc: Ledbat;
  readonly #win = new SendWindow((packet) => this.#c.pool?.give(packet));
  readonly #sendId: number;
  #state: State = 'syn-recv';
  /** Next sequence number we send. */
  #seq: number;
  readonly #rx: ReceiveBuffer;
  #peerWnd = 0;
  #replyMicro = 0;
  /** Bytes written and not yet packetised. */
  readonly #pending = new SendQueue();
  #writeCb: ((e?: Error | null) => void) | undefined;
  #finSent = false;
  #ending = false;
  #lastRecv: number;
  #zeroSince = 0;
  #idleMs = 0;
  #idleFired = false;
  #lossRecoverySeq: number | undefined;
  /** When an ack last acknowledged new data, or data went out with nothing in flight: the probe's clock. */
  #progressAt = 0;
  /** A tail-loss probe went out since then (one per silence; then the RTO). */
  #probed = false;
  /** Counters for health and benchmarks: packets sent new, received, taken as lost on acks, probes, timeouts. */
  readonly stats = { sent: 0, received: 0, fastResends: 0, probes: 0, timeouts: 0 };
  #lastAckNr = -1;
  #dupAcks = 0;
  /** The peer's data needs an ack that no packet sent since has carried (libutp's deferred ack: a DATA packet carries it). */
  #ackDue = false;

  constructor(init: UtpStreamInit, components: UtpStreamComponents) {
    super({ allowHalfOpen: false, readableHighWaterMark: 64 << 10, writableHighWaterMark: 64 << 10 });
    this.#i = init;
    this.#c = components;
    this.remoteAddress = init.remoteIp;
    this.remotePort = init.remotePort;
    this.#sendId = init.synConnectionId;
    this.#seq = init.seq;
    this.#rx = new ReceiveBuffer(init.synSeq, init.limits, (chunk) => { this.push(chunk); }, () => this.readableLength);
    this.#cc = new Ledbat({ mss: init.limits.mss, maxWindow: init.limits.maxWindow, initialWindow: 4 * init.limits.mss });
    this.#lastRecv = components.nowMs();
  }

  /** Connection id of the packets the peer sends us (SYN's + 1). */
  get recvId(): number { return (this.#i.synConnectionId + 1) & 0xffff; }
  get confirmed(): boolean { return this.#state === 'connected'; }
  get isClosed(): boolean { return this.#state === 'closed'; }
  get inFlight(): number { return this.#win.bytes; }
  /** Packets sent and not yet acknowledged (in the network, selectively acked, or waiting for a resend). */
  get packetsInFlight(): number { return this.#win.count; }
  get cwnd(): number { return this.#cc.window; }
  get reorderHeld(): number { return this.#rx.held; }

  // --- the net.Socket members PeerConnection uses ---
  address(): { address: string; port: number; family: string } {
    return { address: this.#i.localIp, port: this.#i.localPort, family: this.#i.localIp.includes(':') ? 'IPv6' : 'IPv4' };
  }
  setNoDelay(_noDelay?: boolean): this { return this; }
  setTimeout(ms: number): this { this.#idleMs = ms; this.#idleFired = false; return this; }

  /** Answer to the SYN (and to a retransmitted SYN): a STATE packet carrying our first seq_nr. */
  sendSynAck(): void { this.#sendControl(ST_STATE); }

  onPacket(p: UtpPacket): void {
    if (this.#state === 'closed') return;
    const now = this.#c.nowMs();
    if (p.type === ST_RESET) { this.destroy(Object.assign(new Error('utp reset by peer'), { code: 'ECONNRESET' })); return; }
    if (p.type === ST_SYN) {
      // The peer did not get our STATE: send it again (same seq_nr, nothing consumed).
      if (p.seqNr === this.#i.synSeq && this.#state === 'syn-recv') this.sendSynAck();
      return;
    }
    this.stats.received++;
    // Forged, or older than anything in flight could explain: ignore the whole packet (libutp and libtorrent do).
    if (!this.#win.plausibleAck(p.ackNr, this.#seq, this.#state === 'connected' ? STALE_ACK_PACKETS : 0)) return;
    this.#lastRecv = now;
    this.#idleFired = false;
    this.#state = 'connected';
    const us = this.#c.nowUs();
    this.#replyMicro = (us - p.timestampUs) >>> 0;
    this.#cc.sample(p.timestampDiffUs, us);
    // BEP 29 wnd_size is u32: a hostile 0xffffffff is clamped by our own bounded window in #flush.
    this.#peerWnd = p.wndSize;
    const flight = this.#win.bytes;
    // libutp: the same ack_nr three times from packets that ack nothing new means ack_nr + 1 is lost.
    if (p.ackNr === this.#lastAckNr && p.type === ST_STATE && this.#win.count > 0) this.#dupAcks++;
    else this.#dupAcks = 0;
    this.#lastAckNr = p.ackNr;
    const r = this.#win.ack(p.ackNr, p.sack, now);
    let lost = r.lost;
    if (this.#dupAcks >= 3) {
      if (this.#win.loseOldestOnDuplicates()) lost++;
      this.#dupAcks = 0;
    }
    if (r.bytesAcked > 0) {
      this.#cc.onAck(r.bytesAcked, flight);
      this.#progressAt = now;
      this.#probed = false;
    }
    if (lost > 0) {
      this.stats.fastResends += lost;
      // One window cut per loss event: not again until the packets in flight now are acked.
      if (this.#lossRecoverySeq === undefined || seqDiff(p.ackNr, this.#lossRecoverySeq) >= 0) {
        this.#cc.onLoss();
        this.#lossRecoverySeq = seqAdd(this.#seq, -1);
      }
      // The oldest lost packet goes out at once, whatever the window (TCP's fast retransmit, RFC 5681);
      // the others from #flush below, oldest first, as the halved window allows: resending them all at
      // once (up to hundreds after an overflow) overflowed the same socket buffer again.
      const first = this.#win.nextLost();
      if (first) this.#resend(first, now, us);
    }
    if ((p.type === ST_DATA || p.type === ST_FIN) && this.#rx.receive(p)) this.#ackDue = true;
    this.#flush();
    // DATA sent just now carried the ack, unless a selective ack must go too (only STATE carries one).
    if (this.#ackDue) this.#sendControl(ST_STATE);
    this.#releaseWriter();
  }

  #packet(type: PacketType, seq: number, payload?: Uint8Array): Buffer {
    return encodePacket({
      type, connectionId: this.#sendId, timestampUs: this.#c.nowUs(), timestampDiffUs: this.#replyMicro,
      wndSize: this.#rx.advertised(), seqNr: seq, ackNr: this.#rx.ack, sack: type === ST_STATE ? this.#rx.sack() : null, payload,
    });
  }

  #sendControl(type: typeof ST_STATE | typeof ST_RESET): void {
    this.#ackDue = false;
    this.#c.send(this.#packet(type, this.#seq));
  }

  /** The header of a packet we keep (DATA, FIN): written when first sent and again at each resend. `us`: the uTP clock now. */
  #stamp(packet: Buffer, type: PacketType, seq: number, us: number): void {
    writeHeaderFields(packet, type, 0, this.#sendId, us, this.#replyMicro, this.#rx.advertised(), seq, this.#rx.ack);
    if (this.#rx.held === 0) this.#ackDue = false;
  }

  /** Sends queued data while the window allows: min(LEDBAT cwnd, peer's wnd_size, our bound). */
  #flush(): void {
    if (this.#state !== 'connected') return;
    const lim = this.#i.limits;
    const now = this.#c.nowMs();
    // One uTP timestamp per flush (at most MAX_BURST packets, microseconds apart).
    const us = this.#c.nowUs();
    const window = Math.min(this.#cc.window, this.#peerWnd, lim.maxWindow);
    if (this.#peerWnd < lim.mss) this.#zeroSince ||= now; else this.#zeroSince = 0;
    const probe = this.#zeroSince > 0 && this.#win.count === 0 && now - this.#zeroSince >= ZERO_WINDOW_PROBE_MS;
    let burst = MAX_BURST;
    // Packets taken as lost first, oldest first (go-back from the oldest after a timeout), then new data.
    for (let o = this.#win.nextLost(); o && burst > 0 && (this.#win.bytes + o.size <= window || this.#win.bytes === 0); o = this.#win.nextLost()) {
      this.#resend(o, now, us);
      burst--;
    }
    if (this.#win.nextLost()) return;
    while (burst-- > 0 && this.#pending.bytes > 0 && (this.#win.bytes + Math.min(lim.mss, this.#pending.bytes) <= window || (probe && this.#win.count === 0))) {
      const size = Math.min(lim.mss, this.#pending.bytes);
      const pool = this.#c.pool;
      const packet = pool && HEADER_BYTES + size === pool.size ? pool.take() : Buffer.allocUnsafe(HEADER_BYTES + size);
      this.#pending.takeInto(packet, HEADER_BYTES, size);
      this.#stamp(packet, ST_DATA, this.#seq, us);
      if (this.#win.count === 0) this.#startSending(now);
      this.#win.push(this.#seq, ST_DATA, packet, size, now);
      this.#c.send(packet);
      this.stats.sent++;
      this.#seq = seqAdd(this.#seq, 1);
    }
    if (this.#ending && this.#pending.bytes === 0 && !this.#finSent) this.#sendFin(now, us);
    this.#releaseWriter();
  }

  #sendFin(now: number, us: number): void {
    this.#finSent = true;
    const packet = Buffer.allocUnsafe(HEADER_BYTES);
    this.#stamp(packet, ST_FIN, this.#seq, us);
    if (this.#win.count === 0) this.#startSending(now);
    this.#win.push(this.#seq, ST_FIN, packet, 0, now);
    this.#c.send(packet);
    this.#seq = seqAdd(this.#seq, 1);
  }

  #startSending(now: number): void {
    this.#progressAt = now;
    this.#probed = false;
    this.#c.onSending?.(this);
  }

  #resend(o: InFlight, now: number, us: number): void {
    this.#win.resent(o, now);
    this.#stamp(o.packet, o.type, o.seq, us);
    this.#c.send(o.packet);
  }

  /** The probe's delay: twice the smoothed RTT, at least MIN_PROBE_MS (before any RTT sample: none, the RTO acts alone). */
  #probeMs(): number {
    const rtt = this.#win.rttMs;
    return rtt === undefined ? Infinity : Math.max(MIN_PROBE_MS, 2 * rtt);
  }

  #releaseWriter(): void {
    if (this.#writeCb && this.#pending.bytes < this.#i.limits.sendBuffer) {
      const cb = this.#writeCb;
      this.#writeCb = undefined;
      cb();
    }
  }

  /**
   * The multiplexer's short timer, while this connection has data in flight: the tail-loss probe when
   * due, nothing else (cheap: a few comparisons per connection every few ms). False once nothing is
   * in flight: the multiplexer stops ticking it until data goes out again.
   */
  probeTick(now: number): boolean {
    if (this.#state === 'closed' || this.#win.count === 0) return false;
    this.#probeIfDue(now);
    return true;
  }

  #probeIfDue(now: number): void {
    if (this.#probed || now - this.#progressAt < this.#probeMs()) return;
    const o = this.#win.oldestInNetwork();
    if (!o) return;
    this.#probed = true;
    this.stats.probes++;
    this.#resend(o, now, this.#c.nowUs());
  }

  /** Called by the multiplexer's shared timer: retransmission timeout, tail-loss probe, zero-window probe, idle timeout. */
  tick(now: number): void {
    if (this.#state === 'closed') return;
    const timed = this.#win.timed();
    if (timed && now - timed.sentAt >= this.#win.rtoMs) {
      if (timed.sends > this.#i.limits.maxRetransmits) {
        this.destroy(Object.assign(new Error('utp retransmission timeout'), { code: 'ETIMEDOUT' }));
        return;
      }
      this.#cc.onTimeout();
      this.stats.timeouts++;
      this.#win.timeout();
      // Go-back from the oldest, one packet first: no probe until an ack shows progress.
      this.#probed = true;
    } else if (timed) {
      this.#probeIfDue(now);
    }
    this.#flush();
    if (this.#idleMs > 0 && !this.#idleFired && now - this.#lastRecv >= this.#idleMs) {
      this.#idleFired = true;
      this.emit('timeout');
    }
  }

  override _read(): void { /* data is pushed as packets arrive */ }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    if (this.#state === 'closed') { cb(new Error('utp connection closed')); return; }
    this.#pending.push(chunk);
    this.#flush();
    if (this.#pending.bytes < this.#i.limits.sendBuffer) cb();
    else this.#writeCb = cb;
  }

  override _final(cb: (e?: Error | null) => void): void {
    this.#ending = true;
    this.#flush();
    cb();
  }

  override _destroy(err: Error | null, cb: (e?: Error | null) => void): void {
    if (this.#state !== 'closed') {
      // Best effort goodbye: a FIN after what was sent (a reset peer gets nothing).
      if (this.#state === 'connected' && !this.#finSent && (err as NodeJS.ErrnoException | null)?.code !== 'ECONNRESET') {
        this.#c.send(this.#packet(ST_FIN, this.#seq));
        this.#finSent = true;
      }
      this.#state = 'closed';
      this.#pending.clear();
      this.#rx.clear();
      const w = this.#writeCb;
      this.#writeCb = undefined;
      w?.();
      this.#c.onClose(this);
    }
    cb(err);
  }
}


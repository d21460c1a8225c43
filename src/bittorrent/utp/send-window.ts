import { seqAdd, seqDiff, ST_FIN, type PacketType } from './packet.ts';

/** A packet we sent and the peer has not acknowledged yet. */
export interface InFlight {
  readonly seq: number;
  readonly type: PacketType;
  /** The whole datagram, header first: a resend rewrites the header's clock, window and ack fields in place. */
  readonly packet: Buffer;
  /** Payload bytes (what the windows count). */
  readonly size: number;
  sentAt: number;
  sends: number;
  /** When its latest transmission went out, in the connection's order of transmissions (1, 2, 3, ...): what loss detection compares. */
  xmit: number;
  /** Acknowledged selectively (SACK): no longer in the network, but not yet cumulatively acked. */
  sacked: boolean;
  /** Taken as lost (timeout, or a later transmission delivered) and waiting to be resent: not counted in flight. */
  lost: boolean;
}

/** What an acked slot of the queue holds until compaction (the packet itself is released at once). */
const RELEASED: InFlight = { seq: 0, type: ST_FIN, packet: Buffer.alloc(0), size: 0, sentAt: 0, sends: 0, xmit: 0, sacked: true, lost: false };

/**
 * BEP 29 / libutp: a packet with this many selectively acked packets after it is taken as lost.
 * Here counted in transmissions (see ack()): a packet is lost once a packet transmitted this many
 * transmissions after it has been delivered.
 */
export const DUPLICATE_ACKS = 3;
/** RTO bounds, ms: libutp uses max(rtt + 4 * rtt_var, 1000); we allow 500 (loopback and LAN downloaders). */
export const MIN_RTO_MS = 500;
export const MAX_RTO_MS = 60_000;

export interface AckResult {
  /** Payload bytes newly acknowledged, cumulatively or selectively. */
  bytesAcked: number;
  /** Packets newly taken as lost by this ack: they wait in the window for a resend (nextLost), oldest first. */
  lost: number;
  /** Our FIN was acknowledged. */
  finAcked: boolean;
}

/**
 * Packets not yet cumulatively acknowledged, oldest first, with RTT (RFC 6298, Karn's rule) and
 * the retransmission timer's value. `bytes` counts what is in the network: neither selectively
 * acked nor taken as lost. Bounded by the caller's window: it sends only while `bytes` is below it.
 */
export class SendWindow {
  /**
   * In flight from #out[#head] on. Acked packets leave by moving #head, not by shift(): shift() is
   * O(n) on arrays this long (a full 1 MiB window is ~760 packets) and was 6 % of the seeder's CPU
   * in a send-path profile (issue 10 target: uTP CPU per GB <= libtorrent's). Compacted now and then.
   */
  #out: InFlight[] = [];
  #head = 0;
  #bytes = 0;
  /** Packets waiting for a resend: lets the common case (none) skip the scan on every ack. */
  #lost = 0;
  /** Transmissions so far (InFlight.xmit of the latest). */
  #xmits = 0;
  /** The latest transmission known to have reached the peer (acked cumulatively or selectively). */
  #delivered = 0;
  #srtt = 0;
  #rttvar = 0;
  /** An RTT sample was taken (on loopback they are often 0 ms). */
  #hasRtt = false;
  #rto = 1000;
  readonly #release: ((packet: Buffer) => void) | undefined;

  get bytes(): number { return this.#bytes; }
  get count(): number { return this.#out.length - this.#head; }
  get rtoMs(): number { return this.#rto; }
  /** Smoothed RTT in ms, or undefined before the first sample. */
  get rttMs(): number | undefined { return this.#hasRtt ? this.#srtt : undefined; }
  oldest(): InFlight | undefined { return this.#out[this.#head]; }

  /** The oldest packet still in the network or selectively acked (not waiting for a resend): the RTO runs on it. */
  timed(): InFlight | undefined {
    for (let i = this.#head; i < this.#out.length; i++) if (!this.#out[i]!.lost) return this.#out[i];
    return undefined;
  }

  /** The oldest packet waiting to be resent. */
  nextLost(): InFlight | undefined {
    if (this.#lost === 0) return undefined;
    for (let i = this.#head; i < this.#out.length; i++) if (this.#out[i]!.lost) return this.#out[i];
    return undefined;
  }

  /** `release` gets each packet that leaves the window acknowledged after a single transmission (see packet-pool.ts). */
  constructor(release?: (packet: Buffer) => void) { this.#release = release; }

  /** The oldest packet still in the network (neither selectively acked nor taken as lost): what a tail-loss probe resends. */
  oldestInNetwork(): InFlight | undefined {
    for (let i = this.#head; i < this.#out.length; i++) if (this.#inNetwork(this.#out[i]!)) return this.#out[i];
    return undefined;
  }

  push(seq: number, type: PacketType, packet: Buffer, size: number, now: number): InFlight {
    const o: InFlight = { seq, type, packet, size, sentAt: now, sends: 1, xmit: ++this.#xmits, sacked: false, lost: false };
    this.#out.push(o);
    this.#bytes += size;
    return o;
  }

  /**
   * True when ack_nr names a packet we could have sent: never one we have not sent yet, and at most
   * `staleBy` packets older than the one before our oldest in-flight packet. A peer's DATA packet can
   * carry an ack_nr older than what its later acks already told us (it was sent while our packets
   * were crossing it): refusing those dropped a downloader's requests and stalled it for a minute.
   * The half-open check passes staleBy 0: only the ack of our random first seq_nr confirms a SYN.
   */
  plausibleAck(ackNr: number, nextSeq: number, staleBy: number): boolean {
    const first = this.#out[this.#head]?.seq ?? nextSeq;
    return seqDiff(ackNr, seqAdd(first, -1 - staleBy)) >= 0 && seqDiff(ackNr, seqAdd(nextSeq, -1)) <= 0;
  }

  #inNetwork(o: InFlight): boolean { return !o.sacked && !o.lost; }

  /**
   * Cumulative ack up to and including ackNr, then the selective ack bitmask (bit 0 = ackNr + 2),
   * then loss detection by transmission order, as RACK does it by time (RFC 8985): a packet still in
   * the network is lost once a packet transmitted DUPLICATE_ACKS transmissions after it has been
   * delivered. For packets sent once, in sequence order, that is BEP 29's rule (three packets acked
   * past a hole). It also finds what that rule cannot, each of which otherwise waited for the RTO
   * (500 ms or more), as loopback downloaders showed once their socket buffer overflowed (bench/README.md):
   * a resent packet lost again (its resend has a later transmission than the packets acked after
   * it), and a tail lost whole (the tail-loss probe resends the oldest packet; once it is delivered,
   * everything transmitted before it and not acked is known lost).
   */
  ack(ackNr: number, sack: Uint8Array | null, now: number): AckResult {
    let bytesAcked = 0;
    let finAcked = false;
    const out = this.#out;
    while (this.#head < out.length && seqDiff(out[this.#head]!.seq, ackNr) <= 0) {
      const o = out[this.#head]!;
      out[this.#head++] = RELEASED;
      if (o.lost) this.#lost--;
      if (!o.sacked) { bytesAcked += o.size; this.#deliver(o); }
      if (this.#inNetwork(o)) this.#bytes -= o.size;
      if (o.sends === 1) {
        this.#rtt(now - o.sentAt);
        // Its one transmission reached the peer, so no send of this buffer is still queued: reusable.
        this.#release?.(o.packet);
      }
      if (o.type === ST_FIN) finAcked = true;
    }
    if (this.#head === out.length) { out.length = 0; this.#head = 0; }
    else if (this.#head >= 1024 && this.#head * 2 >= out.length) { out.splice(0, this.#head); this.#head = 0; }
    if (sack) {
      const base = seqAdd(ackNr, 2);
      const bits = sack.length * 8;
      for (let i = this.#head; i < out.length; i++) {
        const o = out[i]!;
        const bit = seqDiff(o.seq, base);
        if (bit >= bits) break; // in sequence order: the rest lie past the mask
        if (bit < 0 || o.sacked || (sack[bit >> 3]! & (1 << (bit & 7))) === 0) continue;
        if (this.#inNetwork(o)) this.#bytes -= o.size;
        o.sacked = true;
        if (o.lost) { o.lost = false; this.#lost--; }
        bytesAcked += o.size;
        this.#deliver(o);
        if (o.sends === 1) this.#rtt(now - o.sentAt);
      }
    }
    return { bytesAcked, lost: this.#detectLoss(), finAcked };
  }

  #deliver(o: InFlight): void { if (o.xmit > this.#delivered) this.#delivered = o.xmit; }

  /** Marks lost every packet in the network transmitted DUPLICATE_ACKS or more before the latest delivered one; returns how many. */
  #detectLoss(): number {
    const limit = this.#delivered - DUPLICATE_ACKS;
    let n = 0;
    for (let i = this.#head; i < this.#out.length; i++) {
      const o = this.#out[i]!;
      if (o.xmit > limit) {
        // Packets sent once go out in sequence order, and a resend goes out after its first send:
        // past the first packet sent once that is too recent, every packet is too recent.
        if (o.sends === 1) break;
        continue;
      }
      if (this.#inNetwork(o)) { this.#lose(o); n++; }
    }
    return n;
  }

  #lose(o: InFlight): void {
    this.#bytes -= o.size;
    o.lost = true;
    this.#lost++;
  }

  /**
   * The peer repeated its ack_nr (libutp's duplicate acks, for peers that send no selective ack):
   * the oldest packet is taken as lost if it was sent once (the duplicates may all answer packets
   * sent before a resend; a resend lost again is found by ack() or the tail-loss probe). True if it was.
   */
  loseOldestOnDuplicates(): boolean {
    const o = this.#out[this.#head];
    if (!o || o.sends > 1 || !this.#inNetwork(o)) return false;
    this.#lose(o);
    return true;
  }

  /**
   * Retransmission timeout: everything still in the network is taken as lost and resent from the
   * oldest, within the (reset) congestion window, as TCP does from snd_una. A selectively acked
   * oldest packet is resent too: the answer carries the peer's current ack_nr.
   */
  timeout(): void {
    for (let i = this.#head; i < this.#out.length; i++) {
      const o = this.#out[i]!;
      if (this.#inNetwork(o)) this.#lose(o);
    }
    const first = this.#out[this.#head];
    if (first && first.sacked) { first.sacked = false; first.lost = true; this.#lost++; }
    this.#rto = Math.min(MAX_RTO_MS, this.#rto * 2);
  }

  /** A packet goes out again (taken as lost, or as a tail-loss probe): back in the network, as the latest transmission. */
  resent(o: InFlight, now: number): void {
    if (!this.#inNetwork(o)) this.#bytes += o.size;
    if (o.lost) { o.lost = false; this.#lost--; }
    o.sacked = false;
    o.sentAt = now;
    o.sends++;
    o.xmit = ++this.#xmits;
  }

  #rtt(sample: number): void {
    const r = Math.max(0, sample);
    if (!this.#hasRtt) { this.#srtt = r; this.#rttvar = r / 2; this.#hasRtt = true; }
    else {
      this.#rttvar += (Math.abs(this.#srtt - r) - this.#rttvar) / 4;
      this.#srtt += (r - this.#srtt) / 8;
    }
    this.#rto = Math.min(MAX_RTO_MS, Math.max(MIN_RTO_MS, this.#srtt + 4 * this.#rttvar));
  }
}

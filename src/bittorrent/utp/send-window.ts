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
  /** Acknowledged selectively (SACK): no longer in the network, but not yet cumulatively acked. */
  sacked: boolean;
  /** Taken as lost (timeout or fast retransmit) and waiting to be resent: not counted in flight. */
  lost: boolean;
  fastResent: boolean;
}

/** What an acked slot of the queue holds until compaction (the packet itself is released at once). */
const RELEASED: InFlight = { seq: 0, type: ST_FIN, packet: Buffer.alloc(0), size: 0, sentAt: 0, sends: 0, sacked: true, lost: false, fastResent: false };

/** The common ack's answer: nothing lost, no array allocated per ack. */
const NO_LOSS: readonly InFlight[] = Object.freeze([]);

/** BEP 29 / libutp: a packet with this many selectively acked packets after it is taken as lost. */
export const DUPLICATE_ACKS = 3;
/** RTO bounds, ms: libutp uses max(rtt + 4 * rtt_var, 1000); we allow 500 (loopback and LAN downloaders). */
export const MIN_RTO_MS = 500;
export const MAX_RTO_MS = 60_000;

export interface AckResult {
  /** Payload bytes newly acknowledged, cumulatively or selectively. */
  bytesAcked: number;
  /** Packets to resend now (fast retransmit); NO_LOSS, shared and frozen, when there are none. */
  lost: readonly InFlight[];
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
  #srtt = 0;
  #rttvar = 0;
  #rto = 1000;
  readonly #release: ((packet: Buffer) => void) | undefined;

  get bytes(): number { return this.#bytes; }
  get count(): number { return this.#out.length - this.#head; }
  get rtoMs(): number { return this.#rto; }
  get rttMs(): number { return this.#srtt; }
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

  push(seq: number, type: PacketType, packet: Buffer, size: number, now: number): InFlight {
    const o: InFlight = { seq, type, packet, size, sentAt: now, sends: 1, sacked: false, lost: false, fastResent: false };
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

  /** Cumulative ack up to and including ackNr, then the selective ack bitmask (bit 0 = ackNr + 2). */
  ack(ackNr: number, sack: Uint8Array | null, now: number): AckResult {
    let bytesAcked = 0;
    let finAcked = false;
    const out = this.#out;
    while (this.#head < out.length && seqDiff(out[this.#head]!.seq, ackNr) <= 0) {
      const o = out[this.#head]!;
      out[this.#head++] = RELEASED;
      if (o.lost) this.#lost--;
      if (!o.sacked) bytesAcked += o.size;
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
    let lost: InFlight[] | undefined;
    if (sack && this.#head < out.length) {
      const base = seqAdd(ackNr, 2);
      let after = 0;
      // Walk newest to oldest, counting selectively acked packets after each unacked one.
      for (let i = out.length - 1; i >= this.#head; i--) {
        const o = out[i]!;
        const bit = seqDiff(o.seq, base);
        const acked = bit >= 0 && bit < sack.length * 8 && (sack[bit >> 3]! & (1 << (bit & 7))) !== 0;
        if (acked) {
          if (!o.sacked) {
            if (this.#inNetwork(o)) this.#bytes -= o.size;
            o.sacked = true;
            if (o.lost) { o.lost = false; this.#lost--; }
            bytesAcked += o.size;
            if (o.sends === 1) this.#rtt(now - o.sentAt);
          }
          after++;
        } else if (!o.sacked && !o.lost && after >= DUPLICATE_ACKS && !o.fastResent && bit >= -1) {
          (lost ??= []).push(o);
        }
      }
      lost?.reverse();
    }
    return { bytesAcked, lost: lost ?? NO_LOSS, finAcked };
  }

  /**
   * Retransmission timeout: everything still in the network is taken as lost and resent from the
   * oldest, within the (reset) congestion window, as TCP does from snd_una. A selectively acked
   * oldest packet is resent too: the answer carries the peer's current ack_nr.
   */
  timeout(): void {
    for (let i = this.#head; i < this.#out.length; i++) {
      const o = this.#out[i]!;
      if (this.#inNetwork(o)) { this.#bytes -= o.size; o.lost = true; this.#lost++; }
    }
    const first = this.#out[this.#head];
    if (first && first.sacked) { first.sacked = false; first.lost = true; this.#lost++; }
    this.#rto = Math.min(MAX_RTO_MS, this.#rto * 2);
  }

  /** A packet goes out again (after timeout or fast retransmit): back in the network. */
  resent(o: InFlight, now: number, fast: boolean): void {
    if (!this.#inNetwork(o)) this.#bytes += o.size;
    if (o.lost) { o.lost = false; this.#lost--; }
    o.sacked = false;
    o.sentAt = now;
    o.sends++;
    if (fast) o.fastResent = true;
  }

  #rtt(sample: number): void {
    const r = Math.max(0, sample);
    if (this.#srtt === 0) { this.#srtt = r; this.#rttvar = r / 2; }
    else {
      this.#rttvar += (Math.abs(this.#srtt - r) - this.#rttvar) / 4;
      this.#srtt += (r - this.#srtt) / 8;
    }
    this.#rto = Math.min(MAX_RTO_MS, Math.max(MIN_RTO_MS, this.#srtt + 4 * this.#rttvar));
  }
}

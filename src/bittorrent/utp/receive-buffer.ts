import { MAX_SACK_BYTES, seqAdd, seqDiff, ST_FIN, type UtpPacket } from './packet.ts';
import type { UtpLimits } from './utp-limits.ts';

/** What one held out-of-order packet costs beyond its payload (Map entry, typed array and its buffer), charged against recvBuffer. */
const REORDER_ENTRY_BYTES = 160;

/**
 * The receiving half of a uTP connection: in-order delivery, a bounded reorder buffer, the selective
 * ACK that describes it, and the window we advertise. Bounded by UtpLimits.recvBuffer and
 * reorderPackets whatever the peer sends (out-of-order storms, duplicates, data past our window).
 */
export class ReceiveBuffer {
  readonly #limits: UtpLimits;
  /** Takes each in-order payload (a copy), then null at the end of the stream. */
  readonly #deliver: (chunk: Buffer | null) => void;
  /** Bytes delivered and not yet read by the application (the stream's readableLength). */
  readonly #unread: () => number;
  /** Last in-order sequence number received. */
  #ack: number;
  readonly #reorder = new Map<number, Uint8Array>();
  #reorderBytes = 0;
  #eofSeq: number | undefined;
  #eofPushed = false;

  constructor(synSeq: number, limits: UtpLimits, deliver: (chunk: Buffer | null) => void, unread: () => number) {
    this.#ack = synSeq;
    this.#limits = limits;
    this.#deliver = deliver;
    this.#unread = unread;
  }

  /** ack_nr of what we send: the last in-order sequence number received. */
  get ack(): number { return this.#ack; }
  /** Out-of-order packets held. */
  get held(): number { return this.#reorder.size; }

  /** One DATA or FIN packet. True when it needs an ack (new data, a gap, or a duplicate whose ack was lost). */
  receive(p: UtpPacket): boolean {
    const lim = this.#limits;
    const d = seqDiff(p.seqNr, this.#ack);
    if (p.type === ST_FIN) this.#eofSeq ??= p.seqNr;
    if (d <= 0) return true; // duplicate: our ack was lost, say it again
    if (d > lim.reorderPackets) return false; // beyond the reorder window: dropped, the peer will resend
    if (d > 1) {
      const cost = p.payload.length + REORDER_ENTRY_BYTES;
      if (!this.#reorder.has(p.seqNr) && this.#reorderBytes + this.#unread() + cost <= lim.recvBuffer) {
        // Copied: the datagram's buffer is not ours to keep.
        this.#reorder.set(p.seqNr, Uint8Array.prototype.slice.call(p.payload));
        this.#reorderBytes += cost;
      }
      return true;
    }
    // A peer that ignores our advertised window gets its in-order data dropped too (it resends).
    if (this.#unread() + p.payload.length > lim.recvBuffer) return false;
    this.#take(p.seqNr, p.payload);
    for (let next = seqAdd(this.#ack, 1), held = this.#reorder.get(next); held !== undefined; next = seqAdd(this.#ack, 1), held = this.#reorder.get(next)) {
      this.#reorder.delete(next);
      this.#reorderBytes -= held.length + REORDER_ENTRY_BYTES;
      this.#take(next, held);
    }
    if (this.#eofSeq !== undefined && !this.#eofPushed && seqDiff(this.#ack, this.#eofSeq) >= 0) { this.#eofPushed = true; this.#deliver(null); }
    return true;
  }

  #take(seq: number, payload: Uint8Array): void {
    this.#ack = seq;
    if (payload.length > 0 && seq !== this.#eofSeq && !this.#eofPushed) this.#deliver(Buffer.from(payload));
  }

  /** Selective ACK of what the reorder buffer holds (bit 0 = ack_nr + 2), or null. */
  sack(): Uint8Array | null {
    if (this.#reorder.size === 0) return null;
    const base = seqAdd(this.#ack, 2);
    let top = -1;
    for (const seq of this.#reorder.keys()) top = Math.max(top, seqDiff(seq, base));
    if (top < 0) return null;
    // BEP 29: a multiple of 4 bytes, as few as cover the newest packet held (at most MAX_SACK_BYTES).
    const bytes = Math.min(MAX_SACK_BYTES, (Math.floor(top / 32) + 1) * 4);
    const mask = new Uint8Array(bytes);
    for (const seq of this.#reorder.keys()) {
      const bit = seqDiff(seq, base);
      if (bit >= 0 && bit < bytes * 8) mask[bit >> 3]! |= 1 << (bit & 7);
    }
    return mask;
  }

  /** wnd_size we advertise: what is left of recvBuffer. */
  advertised(): number {
    return Math.max(0, this.#limits.recvBuffer - this.#reorderBytes - this.#unread());
  }

  clear(): void {
    this.#reorder.clear();
    this.#reorderBytes = 0;
  }
}

/**
 * LEDBAT congestion control for uTP's sending side (BEP 29, RFC 6817, as libutp does it).
 *
 * The peer echoes, in every packet's timestamp_difference, how long our last packet took to reach
 * it (its clock minus ours: an offset plus the one-way delay). The smallest such value seen in the
 * last two minutes is the base delay; anything above it is queueing we caused. The window grows
 * while queueing delay is under the 100 ms target and shrinks above it, so decoy uploads yield to
 * the downloader's other traffic instead of filling its line.
 */

/** BEP 29 / libutp CCONTROL_TARGET. */
export const TARGET_DELAY_US = 100_000;
/** libutp MAX_CWND_INCREASE_BYTES_PER_RTT: growth per RTT when delay is zero. */
export const MAX_GAIN_BYTES = 3000;
/** Base delay history: one minimum per minute, two minutes kept (RFC 6817 BASE_HISTORY; clock drift). */
const BASE_BUCKET_US = 60_000_000;
const BASE_BUCKETS = 2;
/** Current delay is the minimum of the last few samples (libutp CUR_DELAY_SIZE 3): one late packet is noise. */
const CUR_SAMPLES = 3;

export interface LedbatInit {
  /** One packet's payload: the window never drops below it (libutp MIN_WINDOW_SIZE is tiny; one packet keeps us moving). */
  mss: number;
  /** Bounded send window: the most bytes in flight per connection, whatever the peer advertises. */
  maxWindow: number;
  initialWindow?: number;
}

export class Ledbat {
  readonly #mss: number;
  readonly #max: number;
  #cwnd: number;
  #slowStart = true;
  #ssthresh: number;
  readonly #base: number[] = [];
  #bucketStart = -1;
  readonly #cur: number[] = [];

  constructor(init: LedbatInit) {
    this.#mss = init.mss;
    this.#max = init.maxWindow;
    this.#cwnd = Math.min(init.initialWindow ?? 2 * init.mss, init.maxWindow);
    this.#ssthresh = init.maxWindow;
  }

  get window(): number { return Math.floor(this.#cwnd); }
  get slowStart(): boolean { return this.#slowStart; }

  /** Queueing delay estimate in µs (current minus base); 0 before any sample. */
  get queueingDelayUs(): number { return this.#delay(); }

  /** One delay sample (the peer's timestamp_difference, 32-bit modular) at local time nowUs. */
  sample(diffUs: number, nowUs: number): void {
    // A zero difference means "no measurement yet" (BEP 29: the first packets carry 0).
    if (diffUs === 0) return;
    const d = diffUs >>> 0;
    if (this.#bucketStart < 0 || nowUs - this.#bucketStart >= BASE_BUCKET_US) {
      this.#bucketStart = nowUs;
      this.#base.push(d);
      if (this.#base.length > BASE_BUCKETS) this.#base.shift();
    } else {
      const last = this.#base.length - 1;
      // Compare modulo 2^32: the clocks' offset can put the difference anywhere in the range.
      if (((d - this.#base[last]!) | 0) < 0) this.#base[last] = d;
    }
    // Keep every base bucket no later than the newest minimum (a sample below an older bucket's minimum wins).
    for (let i = 0; i < this.#base.length; i++) if (((d - this.#base[i]!) | 0) < 0) this.#base[i] = d;
    this.#cur.push(d);
    if (this.#cur.length > CUR_SAMPLES) this.#cur.shift();
  }

  #delay(): number {
    if (this.#cur.length === 0 || this.#base.length === 0) return 0;
    let base = this.#base[0]!;
    for (const b of this.#base) if (((b - base) | 0) < 0) base = b;
    let cur = this.#cur[0]!;
    for (const c of this.#cur) if (((c - cur) | 0) < 0) cur = c;
    const q = (cur - base) | 0;
    return q < 0 ? 0 : q;
  }

  /** Bytes newly acknowledged; `flight` the bytes that were in flight before the ack. */
  onAck(bytesAcked: number, flight: number): void {
    if (bytesAcked <= 0) return;
    const delay = this.#delay();
    const offTarget = (TARGET_DELAY_US - delay) / TARGET_DELAY_US;
    if (this.#slowStart) {
      // Slow start (libtorrent): double per RTT until half the target delay or a loss.
      if (delay > TARGET_DELAY_US / 2 || this.#cwnd >= this.#ssthresh) this.#slowStart = false;
      else { this.#cwnd = Math.min(this.#max, this.#cwnd + bytesAcked); return; }
    }
    // RFC 6817: cwnd += GAIN * off_target * bytes_newly_acked * MSS / cwnd, as libutp scales it.
    const windowFactor = Math.min(bytesAcked, Math.max(flight, 1)) / Math.max(this.#cwnd, bytesAcked);
    const gain = MAX_GAIN_BYTES * offTarget * windowFactor;
    this.#cwnd = Math.max(this.#mss, Math.min(this.#max, this.#cwnd + gain));
  }

  /** A packet was lost (fast retransmit): halve, once per window (the caller enforces once). */
  onLoss(): void {
    this.#ssthresh = Math.max(this.#mss * 2, this.#cwnd / 2);
    this.#cwnd = Math.max(this.#mss, this.#cwnd / 2);
    this.#slowStart = false;
  }

  /** Retransmission timeout: back to one packet (libutp: max_window = packet_size). */
  onTimeout(): void {
    this.#ssthresh = Math.max(this.#mss * 2, this.#cwnd / 2);
    this.#cwnd = this.#mss;
    this.#slowStart = true;
  }
}

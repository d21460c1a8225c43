/**
 * Announces every decoy to its trackers, sized for 100,000 torrents: one
 * timer and one min-heap of (infohash, tracker) jobs keyed by due time, a
 * bounded number of announces in flight, and no per-torrent timers or
 * closures. BEP 3: the first announce is `started`, then the tracker's
 * interval; `stopped` on shutdown. We are a seed: left = downloaded = 0.
 */
import { randomBytes } from 'node:crypto';
import type { AnnounceEvent, AnnounceResponse } from '../codec/types.ts';
import { ACTIVE, ANNOUNCED, ATTEMPTED, IN_FLIGHT, OWED } from './announce-job-state.ts';
import { DEFAULT_MAX_CONCURRENT, DEFAULT_STOP_DEADLINE_MS, MAX_TRACKERS, type AnnounceSchedulerInit, type AnnounceTarget } from './announce-scheduler-init.ts';
import { announceOnce } from './announce-once.ts';
import { createAnnouncer, type Announcer } from './announcer.ts';
import { grown } from '../../columns/grow.ts';
import { Key20Slots } from '../../columns/key20-slots.ts';
import { SlotHeap } from '../../dht/slot-heap.ts';
import { UdpTrackerClient } from './udp-client.ts';

export type { AnnounceResult, AnnounceSchedulerInit, AnnounceTarget } from './announce-scheduler-init.ts';
export { DEFAULT_MAX_CONCURRENT, DEFAULT_STOP_DEADLINE_MS, MAX_TRACKERS } from './announce-scheduler-init.ts';

const MAX_BACKOFF_DOUBLINGS = 16;

/**
 * Issue 10 item 5: the first announce round of 100,000 decoys peaked at 550-630 MB. Every (decoy,
 * tracker) job is now a row of typed-array columns (infohash 20 bytes per decoy; due 8, state 1 and
 * failures 1 per job) indexed by slot x stride + tracker, ordered by one SlotHeap (8 bytes per job),
 * with an open-addressing infohash index (8 bytes per decoy): ~50 bytes per decoy and tracker and no
 * object per decoy. At most maxConcurrent announces are in flight (test/unit/tracker/scheduler-bound.test.ts).
 */
export class AnnounceScheduler {
  readonly #init: AnnounceSchedulerInit;
  readonly #minMs: number;
  readonly #maxMs: number;
  readonly #backoffMs: number;
  readonly #maxConcurrent: number;
  readonly #key = randomBytes(4).toString('hex');
  readonly #announce: Announcer;
  readonly #udp: UdpTrackerClient | undefined;
  readonly #abort = new AbortController();
  /** Tracker URLs by index; a job's tracker is its index within the stride. */
  readonly #trackers: string[] = [];
  #stride = 1;
  #cap = 0;
  #used = 0;
  readonly #free: number[] = [];
  #hash = Buffer.alloc(0);
  /** Bumped when a slot is removed, so an announce in flight for it knows its decoy is gone. */
  #gen = new Uint32Array(0);
  #due = new Float64Array(0);
  #state = new Uint8Array(0);
  #failures = new Uint8Array(0);
  readonly #bySlot = new Key20Slots(() => this.#hash);
  #heap = new SlotHeap(() => this.#due);
  readonly #scratch = Buffer.alloc(20);
  /** One-shot `stopped` announces owed by remove(): (infohash, tracker) pairs, sent before anything else. */
  readonly #finals: { infoHash: Uint8Array; tracker: number }[] = [];
  #timer: NodeJS.Timeout | undefined;
  #timerDue = Infinity;
  #inFlight = 0;
  #peak = 0;
  #started = false;
  #stopping = false;
  /** Jobs still waiting for their first attempt; whenAllAnnounced() waits for 0. */
  #pendingFirst = 0;
  #waiters: Array<{ resolve: () => void; reject: (e: unknown) => void }> = [];
  #idle: (() => void) | undefined;

  constructor(init: AnnounceSchedulerInit) {
    if (init.peerId.length !== 20) throw new RangeError('peerId must be 20 bytes');
    this.#init = init;
    this.#minMs = init.minIntervalMs ?? 60_000;
    this.#maxMs = Math.max(this.#minMs, init.maxIntervalMs ?? 3_600_000);
    this.#backoffMs = init.backoffBaseMs ?? Math.min(15_000, this.#minMs);
    this.#maxConcurrent = init.maxConcurrent ?? DEFAULT_MAX_CONCURRENT;
    if (!Number.isInteger(this.#maxConcurrent) || this.#maxConcurrent < 1) throw new RangeError('maxConcurrent must be a positive integer');
    if (init.announce !== undefined) {
      this.#announce = init.announce;
    } else {
      this.#udp = new UdpTrackerClient({
        ...(init.localAddress !== undefined && { localAddress: init.localAddress }),
        ...(init.udpTimeoutsMs !== undefined && { timeoutsMs: init.udpTimeoutsMs }),
        maxInFlight: this.#maxConcurrent,
      });
      this.#announce = createAnnouncer({
        udp: this.#udp,
        ...(init.localAddress !== undefined && { localAddress: init.localAddress }),
        ...(init.httpTimeoutMs !== undefined && { httpTimeoutMs: init.httpTimeoutMs }),
        ...(init.presented !== undefined && { presented: init.presented }),
      });
    }
  }

  /** Number of targets (torrents). */
  get size(): number { return this.#bySlot.size; }

  /** Announces in flight now (never above maxConcurrent). */
  get inFlight(): number { return this.#inFlight; }

  /** Most announces that have been in flight at once (observability; never above maxConcurrent). */
  get peakInFlight(): number { return this.#peak; }

  /** Makes room for `n` torrents at once (a node knows how many it loads): no growth copies. */
  reserve(n: number): void {
    if (n > this.#cap) this.#layout(n, this.#stride);
  }

  /** Adds a torrent, or adds new trackers to a known one. O(trackers x log n). */
  add(t: AnnounceTarget): void {
    if (this.#stopping) return;
    if (t.infoHash.length !== 20) throw new RangeError('infoHash must be 20 bytes');
    const indexes = [...new Set(t.trackers)].map((u) => this.#trackerIndex(u));
    let slot = this.#bySlot.find(t.infoHash);
    if (slot < 0) {
      slot = this.#free.pop() ?? this.#nextSlot();
      this.#hash.set(t.infoHash, slot * 20);
      this.#bySlot.insert(slot);
    }
    const now = Date.now();
    for (const ti of indexes) {
      const j = slot * this.#stride + ti;
      if ((this.#state[j]! & ACTIVE) !== 0) continue;
      this.#state[j] = ACTIVE;
      this.#failures[j] = 0;
      this.#due[j] = now;
      this.#pendingFirst++;
      this.#heap.push(j);
    }
    this.#arm();
  }

  /** Stops announcing a torrent; trackers that saw `started` get a best-effort `stopped`. */
  remove(infoHash: Uint8Array): void {
    const slot = this.#bySlot.find(infoHash);
    if (slot < 0) return;
    const copy = Uint8Array.from(this.#hash.subarray(slot * 20, slot * 20 + 20));
    for (let ti = 0; ti < this.#stride; ti++) {
      const j = slot * this.#stride + ti;
      const st = this.#state[j]!;
      if ((st & ACTIVE) === 0) continue;
      this.#heap.remove(j);
      if ((st & ATTEMPTED) === 0) this.#pendingFirst--;
      // One in flight reports back under the old generation and queues its own `stopped` if it was answered.
      if ((st & ANNOUNCED) !== 0 && (st & IN_FLIGHT) === 0 && !this.#stopping) this.#finals.push({ infoHash: copy, tracker: ti });
      this.#state[j] = 0;
    }
    this.#bySlot.delete(slot);
    this.#gen[slot] = (this.#gen[slot]! + 1) >>> 0;
    this.#free.push(slot);
    this.#notifyWaiters();
    this.#arm();
  }

  start(): void {
    if (this.#stopping) return;
    this.#started = true;
    this.#arm();
  }

  /** Resolves once every (torrent, tracker) pair has had one announce attempt; rejects if stop() comes first. */
  whenAllAnnounced(opts: { signal?: AbortSignal } = {}): Promise<void> {
    if (this.#pendingFirst === 0) return Promise.resolve();
    if (this.#stopping) return Promise.reject(new Error('announce scheduler stopped'));
    return new Promise((resolve, reject) => {
      const w = {
        resolve: (): void => { opts.signal?.removeEventListener('abort', onAbort); resolve(); },
        reject: (e: unknown): void => { opts.signal?.removeEventListener('abort', onAbort); reject(e); },
      };
      const onAbort = (): void => { this.#waiters = this.#waiters.filter((x) => x !== w); reject(opts.signal!.reason); };
      opts.signal?.throwIfAborted();
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiters.push(w);
    });
  }

  /**
   * Cancels pending announces, then sends `stopped` to every tracker that saw our `started` (or
   * may have: one in flight at stop), with maxConcurrent in flight and one overall deadline.
   */
  async stop(opts: { signal?: AbortSignal; deadlineMs?: number } = {}): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    clearTimeout(this.#timer);
    const deadline = AbortSignal.timeout(opts.deadlineMs ?? DEFAULT_STOP_DEADLINE_MS);
    const signal = opts.signal === undefined ? deadline : AbortSignal.any([opts.signal, deadline]);
    const jobs = this.#used * this.#stride;
    for (let j = 0; j < jobs; j++) if ((this.#state[j]! & (ANNOUNCED | IN_FLIGHT)) !== 0) this.#state[j]! |= OWED;
    this.#abort.abort(new Error('announce scheduler stopping'));
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w.reject(new Error('announce scheduler stopped'));
    if (this.#inFlight > 0) await new Promise<void>((resolve) => { this.#idle = resolve; });
    const finals = this.#finals.splice(0);
    let next = 0, f = 0;
    const worker = async (): Promise<void> => {
      while (!signal.aborted) {
        if (f < finals.length) { const x = finals[f++]!; await this.#send(x.infoHash, x.tracker, 'stopped', signal); continue; }
        while (next < jobs && (this.#state[next]! & OWED) === 0) next++;
        if (next >= jobs) return;
        const j = next++;
        this.#state[j]! &= ~OWED;
        await this.#send(this.#hashOf(Math.floor(j / this.#stride)), j % this.#stride, 'stopped', signal);
      }
    };
    await Promise.all(Array.from({ length: this.#maxConcurrent }, worker));
    await this.#udp?.close();
  }

  #trackerIndex(url: string): number {
    const i = this.#trackers.indexOf(url);
    if (i >= 0) return i;
    if (this.#trackers.length >= MAX_TRACKERS) throw new RangeError(`more than ${MAX_TRACKERS} distinct trackers`);
    this.#trackers.push(url);
    // A new tracker widens every row: re-laid once per tracker URL, not per decoy.
    if (this.#trackers.length > this.#stride) this.#layout(Math.max(this.#cap, 1), this.#trackers.length);
    return this.#trackers.length - 1;
  }

  #nextSlot(): number {
    // x1.5 keeps the slack small at 100,000 decoys.
    if (this.#used === this.#cap) this.#layout(this.#cap === 0 ? 1024 : Math.ceil(this.#cap * 1.5), this.#stride);
    return this.#used++;
  }

  /** (Re)allocates the columns for `cap` slots of `stride` jobs, moving every job and rebuilding the heap. */
  #layout(cap: number, stride: number): void {
    const old = { stride: this.#stride, due: this.#due, state: this.#state, failures: this.#failures };
    this.#hash = grown(this.#hash, Buffer.alloc(cap * 20));
    this.#gen = grown(this.#gen, new Uint32Array(cap));
    this.#due = new Float64Array(cap * stride);
    this.#state = new Uint8Array(cap * stride);
    this.#failures = new Uint8Array(cap * stride);
    this.#heap = new SlotHeap(() => this.#due);
    this.#heap.reserve(cap * stride);
    for (let s = 0; s < this.#used; s++) {
      for (let ti = 0; ti < old.stride; ti++) {
        const from = s * old.stride + ti, to = s * stride + ti;
        this.#due[to] = old.due[from]!;
        this.#state[to] = old.state[from]!;
        this.#failures[to] = old.failures[from]!;
        if ((old.state[from]! & (ACTIVE | IN_FLIGHT)) === ACTIVE) this.#heap.push(to);
      }
    }
    this.#stride = stride;
    this.#cap = cap;
  }

  #hashOf(slot: number): Uint8Array {
    return Uint8Array.from(this.#hash.subarray(slot * 20, slot * 20 + 20));
  }

  /** Keeps the single timer pointed at the earliest due job, or runs due jobs now. */
  #arm(): void {
    if (!this.#started || this.#stopping || this.#inFlight >= this.#maxConcurrent) return;
    if (this.#finals.length > 0) { this.#pump(Date.now()); return; }
    const top = this.#heap.peek();
    if (top < 0) return;
    const now = Date.now();
    const due = this.#due[top]!;
    if (due <= now) { this.#pump(now); return; }
    if (this.#timerDue === due && this.#timer !== undefined) return;
    clearTimeout(this.#timer);
    this.#timerDue = due;
    this.#timer = setTimeout(() => { this.#timer = undefined; this.#timerDue = Infinity; this.#arm(); }, due - now);
  }

  #pump(now: number): void {
    while (this.#inFlight < this.#maxConcurrent) {
      const fin = this.#finals.shift();
      if (fin !== undefined) { void this.#runFinal(fin); continue; }
      const top = this.#heap.peek();
      if (top < 0 || this.#due[top]! > now) break;
      this.#heap.pop();
      void this.#run(top);
    }
    this.#arm();
  }

  async #runFinal(fin: { infoHash: Uint8Array; tracker: number }): Promise<void> {
    this.#enter();
    await this.#send(fin.infoHash, fin.tracker, 'stopped', this.#abort.signal);
    this.#leave();
  }

  async #run(j: number): Promise<void> {
    const slot = Math.floor(j / this.#stride), ti = j % this.#stride;
    const gen = this.#gen[slot]!;
    const st = this.#state[j]!;
    const event: AnnounceEvent = (st & ANNOUNCED) !== 0 ? 'none' : 'started';
    const infoHash = this.#hashOf(slot);
    this.#state[j] = st | IN_FLIGHT;
    this.#enter();
    const r = await this.#send(infoHash, ti, event, this.#abort.signal);
    // The columns may have been re-laid (a new tracker) meanwhile: find the job again.
    const k = slot * this.#stride + ti;
    if (this.#gen[slot] !== gen) {
      // Removed while in flight (remove() settled whenAllAnnounced for it): a `stopped` is owed if the
      // tracker saw this `started`, or an earlier one.
      if (((st & ANNOUNCED) !== 0 || (r !== null && event === 'started')) && !this.#stopping) this.#finals.push({ infoHash, tracker: ti });
    } else {
      let s2 = this.#state[k]! & ~IN_FLIGHT;
      if ((s2 & ATTEMPTED) === 0) { s2 |= ATTEMPTED; this.#pendingFirst--; }
      const now = Date.now();
      if (r !== null) {
        if (event === 'started') s2 |= ANNOUNCED;
        this.#failures[k] = 0;
        const ms = Math.max(r.interval, r.minInterval ?? 0) * 1000;
        this.#due[k] = now + Math.min(this.#maxMs, Math.max(this.#minMs, ms));
      } else {
        const f = Math.min(255, this.#failures[k]! + 1);
        this.#failures[k] = f;
        this.#due[k] = now + Math.min(this.#maxMs, this.#backoffMs * 2 ** Math.min(MAX_BACKOFF_DOUBLINGS, f - 1));
      }
      // At stop(), a job in flight was marked OWED already (its started may have reached the tracker).
      this.#state[k] = s2;
      if (!this.#stopping) this.#heap.push(k);
    }
    this.#leave();
  }

  #enter(): void {
    this.#inFlight++;
    this.#peak = Math.max(this.#peak, this.#inFlight);
  }

  #leave(): void {
    this.#inFlight--;
    if (this.#stopping) {
      if (this.#inFlight === 0) this.#idle?.();
      return;
    }
    this.#notifyWaiters();
    this.#arm();
  }

  /** One announce; reports to onResult and returns the response, or null on failure. Never throws. */
  #send(infoHash: Uint8Array, tracker: number, event: AnnounceEvent, signal: AbortSignal): Promise<AnnounceResponse | null> {
    return announceOnce(this.#announce, this.#init, { url: this.#trackers[tracker]!, key: this.#key, infoHash, event, signal });
  }

  #notifyWaiters(): void {
    if (this.#pendingFirst !== 0 || this.#waiters.length === 0) return;
    const ws = this.#waiters;
    this.#waiters = [];
    for (const w of ws) w.resolve();
  }
}

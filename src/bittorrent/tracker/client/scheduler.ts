/**
 * Announces every decoy to its trackers, sized for 100,000 torrents: one
 * timer and one min-heap of (infohash, tracker) jobs keyed by due time, a
 * bounded number of announces in flight, and no per-torrent timers or
 * closures. BEP 3: the first announce is `started`, then the tracker's
 * interval; `stopped` on shutdown. We are a seed: left = downloaded = 0.
 */
import { randomBytes } from 'node:crypto';
import { infoHashToHex, type InfoHashHex } from '../../../domain/info-hash.ts';
import type { AnnounceEvent, AnnounceResponse } from '../codec/types.ts';
import { createAnnouncer, type Announcer } from './announcer.ts';
import { DueHeap, type HeapItem } from './due-heap.ts';
import { UdpTrackerClient } from './udp-client.ts';

export interface AnnounceTarget { infoHash: Uint8Array; trackers: readonly string[] }

export interface AnnounceResult {
  infoHash: Uint8Array; tracker: string; event: AnnounceEvent; ok: boolean; error?: string; interval?: number; peers?: number;
}

export interface AnnounceSchedulerInit {
  peerId: Uint8Array;
  port: number;
  /** Lower clamp on the tracker's interval (default 60 s); the lab uses small intervals. */
  minIntervalMs?: number;
  /** Upper clamp on the tracker's interval (default 1 h). */
  maxIntervalMs?: number;
  /** First retry delay after a failure, doubled per failure up to maxIntervalMs (default min(15 s, minIntervalMs)). */
  backoffBaseMs?: number;
  maxConcurrent?: number;
  numWant?: number;
  /** Our uploaded counter per torrent for the announce. */
  uploaded?(infoHash: Uint8Array): number;
  onResult?(r: AnnounceResult): void;
  /** Binds HTTP and UDP sockets to the seeder's address; an IPv6 one announces over IPv6 (AAAA for host names). */
  localAddress?: string;
  /** BEP 7: our IPv6 address, told to HTTP trackers we announce to over IPv4 (`ipv6=`). */
  ipv6?: string;
  /** Per-try UDP timeouts (see UdpTrackerClient). */
  udpTimeoutsMs?: readonly number[];
  httpTimeoutMs?: number;
  /** Replaces the built-in HTTP/UDP announcer (tests, instrumentation). */
  announce?: Announcer;
}

interface Job extends HeapItem {
  readonly infoHash: Uint8Array;
  readonly hex: InfoHashHex;
  readonly tracker: string;
  /** A `started` has been answered: later announces are regular, and shutdown owes a `stopped`. */
  announced: boolean;
  attempted: boolean;
  inFlight: boolean;
  removed: boolean;
  /** A one-shot `stopped` left over from remove(). */
  readonly final: boolean;
  failures: number;
}

export const DEFAULT_MAX_CONCURRENT = 16;
export const DEFAULT_STOP_DEADLINE_MS = 5_000;
const MAX_BACKOFF_DOUBLINGS = 16;

export class AnnounceScheduler {
  readonly #init: AnnounceSchedulerInit;
  readonly #minMs: number;
  readonly #maxMs: number;
  readonly #backoffMs: number;
  readonly #maxConcurrent: number;
  readonly #key = randomBytes(4).toString('hex');
  readonly #announce: Announcer;
  readonly #udp: UdpTrackerClient | undefined;
  readonly #heap = new DueHeap<Job>();
  readonly #targets = new Map<InfoHashHex, Job[]>();
  readonly #abort = new AbortController();
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
      });
    }
  }

  /** Number of targets (torrents). */
  get size(): number { return this.#targets.size; }

  /** Most announces that have been in flight at once (observability; never above maxConcurrent). */
  get peakInFlight(): number { return this.#peak; }

  /** Adds a torrent, or adds new trackers to a known one. O(trackers x log n). */
  add(t: AnnounceTarget): void {
    if (this.#stopping) return;
    const hex = infoHashToHex(t.infoHash);
    const jobs = this.#targets.get(hex) ?? [];
    const infoHash = jobs[0]?.infoHash ?? Uint8Array.from(t.infoHash);
    for (const tracker of new Set(t.trackers)) {
      if (jobs.some((j) => j.tracker === tracker)) continue;
      const job: Job = {
        infoHash, hex, tracker, due: Date.now(), heapIndex: -1,
        announced: false, attempted: false, inFlight: false, removed: false, final: false, failures: 0,
      };
      jobs.push(job);
      this.#pendingFirst++;
      this.#heap.push(job);
    }
    if (jobs.length > 0) this.#targets.set(hex, jobs);
    this.#arm();
  }

  /** Stops announcing a torrent; trackers that saw `started` get a best-effort `stopped`. */
  remove(infoHash: Uint8Array): void {
    const hex = infoHashToHex(infoHash);
    const jobs = this.#targets.get(hex);
    if (jobs === undefined) return;
    this.#targets.delete(hex);
    for (const j of jobs) {
      j.removed = true;
      this.#heap.remove(j);
      if (!j.attempted) this.#pendingFirst--;
      if (j.announced && !j.inFlight) this.#queueStopped(j);
    }
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
   * Cancels pending announces, then sends `stopped` to every tracker that saw
   * our `started`, with maxConcurrent in flight and one overall deadline.
   */
  async stop(opts: { signal?: AbortSignal; deadlineMs?: number } = {}): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    clearTimeout(this.#timer);
    const deadline = AbortSignal.timeout(opts.deadlineMs ?? DEFAULT_STOP_DEADLINE_MS);
    const signal = opts.signal === undefined ? deadline : AbortSignal.any([opts.signal, deadline]);
    const owed = this.#heap.drain().filter((j) => j.final);
    for (const jobs of this.#targets.values()) for (const j of jobs) if (j.announced || j.inFlight) owed.push(j);
    this.#abort.abort(new Error('announce scheduler stopping'));
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w.reject(new Error('announce scheduler stopped'));
    if (this.#inFlight > 0) await new Promise<void>((resolve) => { this.#idle = resolve; });
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < owed.length && !signal.aborted) await this.#send(owed[next++]!, 'stopped', signal);
    };
    await Promise.all(Array.from({ length: Math.min(this.#maxConcurrent, owed.length) }, worker));
    await this.#udp?.close();
  }

  #queueStopped(j: Job): void {
    if (this.#stopping) return;
    const stop: Job = { ...j, due: Date.now(), heapIndex: -1, final: true, inFlight: false };
    this.#heap.push(stop);
  }

  /** Keeps the single timer pointed at the earliest due job, or runs due jobs now. */
  #arm(): void {
    if (!this.#started || this.#stopping) return;
    const top = this.#heap.peek();
    if (top === undefined || this.#inFlight >= this.#maxConcurrent) return;
    const now = Date.now();
    if (top.due <= now) { this.#pump(now); return; }
    if (this.#timerDue === top.due && this.#timer !== undefined) return;
    clearTimeout(this.#timer);
    this.#timerDue = top.due;
    this.#timer = setTimeout(() => { this.#timer = undefined; this.#timerDue = Infinity; this.#arm(); }, top.due - now);
  }

  #pump(now: number): void {
    while (this.#inFlight < this.#maxConcurrent) {
      const top = this.#heap.peek();
      if (top === undefined || top.due > now) break;
      this.#heap.pop();
      void this.#run(top);
    }
    this.#arm();
  }

  async #run(j: Job): Promise<void> {
    const event: AnnounceEvent = j.final ? 'stopped' : j.announced ? 'none' : 'started';
    j.inFlight = true;
    this.#inFlight++;
    this.#peak = Math.max(this.#peak, this.#inFlight);
    const r = await this.#send(j, event, this.#abort.signal);
    j.inFlight = false;
    this.#inFlight--;
    if (!j.final && !j.attempted) { j.attempted = true; if (!j.removed) this.#pendingFirst--; }
    if (r !== null && !j.final) {
      j.announced = j.announced || event === 'started';
      j.failures = 0;
      const ms = Math.max(r.interval, r.minInterval ?? 0) * 1000;
      j.due = Date.now() + Math.min(this.#maxMs, Math.max(this.#minMs, ms));
    } else if (!j.final) {
      j.failures++;
      j.due = Date.now() + Math.min(this.#maxMs, this.#backoffMs * 2 ** Math.min(MAX_BACKOFF_DOUBLINGS, j.failures - 1));
    }
    if (this.#stopping) {
      if (this.#inFlight === 0) this.#idle?.();
    } else if (j.removed) {
      if (j.announced && !j.final) this.#queueStopped(j);
    } else if (!j.final) {
      this.#heap.push(j);
    }
    this.#notifyWaiters();
    this.#arm();
  }

  /** One announce; reports to onResult and returns the response, or null on failure. Never throws. */
  async #send(j: Job, event: AnnounceEvent, signal: AbortSignal): Promise<AnnounceResponse | null> {
    let uploaded = 0;
    try { uploaded = this.#init.uploaded?.(j.infoHash) ?? 0; } catch { /* a broken counter must not stop announces */ }
    const base = { infoHash: j.infoHash, tracker: j.tracker, event };
    try {
      const r = await this.#announce(j.tracker, {
        infoHash: j.infoHash, peerId: this.#init.peerId, port: this.#init.port,
        uploaded, downloaded: 0, left: 0, event, compact: true, key: this.#key,
        ...(this.#init.ipv6 !== undefined && { ipv6: this.#init.ipv6 }),
        ...(this.#init.numWant !== undefined && { numWant: this.#init.numWant }),
      }, { signal });
      this.#report({ ...base, ok: true, interval: r.interval, peers: r.peers.length });
      return r;
    } catch (e) {
      this.#report({ ...base, ok: false, error: e instanceof Error ? e.message : String(e) });
      return null;
    }
  }

  #report(r: AnnounceResult): void {
    try { this.#init.onResult?.(r); } catch { /* observers must not break scheduling */ }
  }

  #notifyWaiters(): void {
    if (this.#pendingFirst !== 0 || this.#waiters.length === 0) return;
    const ws = this.#waiters;
    this.#waiters = [];
    for (const w of ws) w.resolve();
  }
}

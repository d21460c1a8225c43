import type { Decoy, ServedDecoy } from '../domain/decoy.ts';

/** Decoys added to a running node per sync; the rest follow on the next one (bounded work per tick). */
export const MAX_ADDS_PER_SYNC = 100_000;

/** The part of the seeder's TorrentIndex the sync touches. */
export interface ServedIndex {
  add(d: Decoy): void;
  remove(infoHashHex: string): boolean;
  /** Every served decoy, compact (no per-decoy wrapper objects: a node may serve 100,000). */
  decoys(): Iterable<ServedDecoy>;
  /** The served decoys' ids alone (no object per decoy); absent: read through decoys(). */
  servedIds?(): Float64Array;
}

export interface LiveSyncDeps {
  /** Runs every campaign's step at `now` (daily release, TTL retirement). */
  readonly step?: (now: number) => { released: number; retired: number };
  /** Ids of every active decoy in the store, whoever made them (campaigns, `decoys build`, cron). */
  readonly activeIds: () => { has(id: number): boolean; readonly size: number } & Iterable<number>;
  readonly getDecoy: (id: number) => Promise<Decoy | undefined>;
  readonly index: ServedIndex;
  /** Start announcing a decoy (tracker scheduler, DHT). */
  readonly onAdded?: (d: Decoy) => void;
  /** Stop announcing a decoy that is no longer served. */
  readonly onRemoved?: (d: ServedDecoy) => void;
  readonly now: () => number;
  readonly log: (msg: string) => void;
}

export interface SyncResult { readonly released: number; readonly retired: number; readonly added: number; readonly removed: number }

/**
 * Keeps a running node's served set equal to the store's active decoys (issue 3 §6):
 * ONE timer for the whole node, never one per torrent. Each run steps the campaigns
 * (release today's decoys, retire expired ones), then diffs the store's active ids
 * against the index: new decoys are served and announced, retired (or otherwise
 * deactivated) ones stop being served to new connections and stop being announced.
 * Their records stay. Runs never overlap.
 */
export class LiveDecoySync {
  readonly #d: LiveSyncDeps;
  readonly #intervalMs: number;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<SyncResult> | undefined;
  #stopped = false;

  constructor(deps: LiveSyncDeps, opts: { intervalMs: number }) {
    if (!(opts.intervalMs >= 1)) throw new RangeError(`intervalMs must be >= 1, got ${opts.intervalMs}`);
    this.#d = deps;
    this.#intervalMs = opts.intervalMs;
  }

  start(): void {
    if (this.#stopped || this.#timer) return;
    this.#arm();
  }

  /** One sync now (or joins the one in progress). */
  syncNow(): Promise<SyncResult> {
    this.#running ??= this.#sync().finally(() => { this.#running = undefined; });
    return this.#running;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running?.catch(() => {});
  }

  #arm(): void {
    this.#timer = setTimeout(() => {
      this.syncNow()
        .catch((e: Error) => this.#d.log(`campaign sync failed: ${e.message}`))
        .finally(() => { if (!this.#stopped) this.#arm(); });
    }, this.#intervalMs);
    this.#timer.unref();
  }

  async #sync(): Promise<SyncResult> {
    const d = this.#d;
    let step = { released: 0, retired: 0 };
    try {
      if (d.step) step = d.step(d.now());
    } catch (e) {
      // A failed release (bad payload, full disk) must not stop retirements being applied below.
      d.log(`campaign step failed: ${(e as Error).message}`);
    }
    const active = d.activeIds();
    // Issue 10 item 5: what is served is read as ids into one typed array, not a Map of the served
    // decoys: at 1,000,000 decoys that Map was ~250 MB of heap, every tick (the peak RSS of a node
    // announcing 1,000,000 decoys). Nor are the decoys made as objects to read their ids: V8
    // pretenured them (old space 59 MB at the tick with 300,000). Only decoys to remove are made,
    // and ids are found by binary search (test/unit/campaign/live-sync-bound.test.ts).
    const ids = d.index.servedIds?.() ?? Float64Array.from(d.index.decoys(), (x) => x.id);
    let n = 0;
    const gone = new Set<number>();
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (active.has(id)) ids[n++] = id; else gone.add(id);
    }
    const served = ids.subarray(0, n).sort();
    const toRemove: ServedDecoy[] = [];
    if (gone.size > 0) for (const decoy of d.index.decoys()) if (gone.has(decoy.id)) toRemove.push(decoy);
    let removed = 0;
    for (const decoy of toRemove) {
      d.index.remove(decoy.infoHash);
      d.onRemoved?.(decoy);
      removed++;
    }
    let added = 0;
    // Every active decoy served already (the usual tick): nothing to look for.
    for (const id of n === active.size ? [] : active) {
      if (this.#stopped || added >= MAX_ADDS_PER_SYNC) break;
      if (includesSorted(served, id)) continue;
      const decoy = await d.getDecoy(id);
      if (!decoy || decoy.status !== 'active') continue;
      d.index.add(decoy);
      d.onAdded?.(decoy);
      added++;
    }
    if (step.released || step.retired || added || removed) d.log(`campaigns: released ${step.released}, retired ${step.retired}; now serving +${added} -${removed}`);
    return { ...step, added, removed };
  }
}

/** Binary search in ascending ids. */
function includesSorted(ids: Float64Array, id: number): boolean {
  let lo = 0, hi = ids.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = ids[mid]!;
    if (v === id) return true;
    if (v < id) lo = mid + 1; else hi = mid - 1;
  }
  return false;
}

/** A peer the choker can open or close an upload slot for. */
export interface Chokeable {
  unchoke(): void;
  choke(): void;
}

export interface ChokerInit {
  /** Upload slots shared by every decoy. */
  slots: number;
  /** An unchoked peer gives its slot up after this long if others are waiting. */
  rotationMs: number;
  now?: () => number;
}

/**
 * Global upload slots (not per torrent: one node may carry 100,000 decoys).
 * Interested peers get a free slot at once, otherwise wait FIFO; one timer rotates
 * long-held slots to waiting peers, so every downloader is served eventually.
 */
export class Choker {
  readonly #init: Required<ChokerInit>;
  readonly #unchoked = new Map<Chokeable, number>();
  readonly #waiting = new Set<Chokeable>();
  #timer: NodeJS.Timeout | undefined;

  constructor(init: ChokerInit) {
    this.#init = { now: Date.now, ...init };
  }

  start(): void {
    this.#timer = setInterval(() => this.rotate(), Math.max(1000, Math.floor(this.#init.rotationMs / 3)));
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  interested(p: Chokeable): void {
    if (this.#unchoked.has(p) || this.#waiting.has(p)) return;
    if (this.#unchoked.size < this.#init.slots) this.#open(p);
    else this.#waiting.add(p);
  }

  /** The peer lost interest or left: free its slot for the next waiting peer. */
  release(p: Chokeable): void {
    this.#waiting.delete(p);
    if (this.#unchoked.delete(p)) this.#fill();
  }

  rotate(): void {
    if (this.#waiting.size === 0) return;
    const cutoff = this.#init.now() - this.#init.rotationMs;
    for (const [p, since] of this.#unchoked) {
      if (this.#waiting.size === 0) break;
      if (since > cutoff) continue;
      this.#unchoked.delete(p);
      p.choke();
      this.#waiting.add(p);
      this.#fill();
    }
  }

  #fill(): void {
    for (const p of this.#waiting) {
      if (this.#unchoked.size >= this.#init.slots) return;
      this.#waiting.delete(p);
      this.#open(p);
    }
  }

  #open(p: Chokeable): void {
    this.#unchoked.set(p, this.#init.now());
    p.unchoke();
  }

  get unchokedCount(): number { return this.#unchoked.size; }
  get waitingCount(): number { return this.#waiting.size; }
}

import { createHash } from 'node:crypto';
import type { PieceSource } from '../domain/piece-source.ts';
import type { PaddingLayout } from '../payload/variants/layout.ts';
import { MAX_DECOY_SIZE } from './decoy-hasher.ts';
import { FillWalker } from './fill-walker.ts';
import { VirtualPieceSource } from './virtual-source.ts';

/** The digests an examiner's hash list carries for a decoy's content (hex). */
export interface ContentDigests {
  readonly md5: string;
  readonly sha1: string;
  readonly sha256: string;
}

const ALGORITHMS = ['md5', 'sha1', 'sha256'] as const;
/** Hash-state checkpoints over the fill: a decoy costs at most 4 MiB of fill per algorithm, not its size. */
const STEP = 4 * 1024 * 1024;
/** Read size for contents that are not one virtual file: bounded memory whatever the size. */
const CHUNK = 1 << 20;

/**
 * MD5, SHA-1 and SHA-256 of decoy contents (issue 15, item 5). A single-file decoy is
 * head || fill^n || tail (payload/variants/layout.ts), so each digest is the hash state after
 * head + n fill bytes, taken from a checkpoint every 4 MiB of fill (shared by every decoy of the
 * layout), then updated with at most 4 MiB of fill and the decoy's tail. Target: a day's 20,000
 * decoys (terabytes nominal) hashed in minutes; reading every byte ran at ~450 MB/s, so 5,000 decoys
 * of 6.3 TB took ~4 hours. Anything else (multi-file decoys, payload-backed decoys) is read in 1 MiB
 * chunks. Both ways give the same digests; test/unit/decoy/content-hasher.test.ts checks it.
 */
export class ContentHasher {
  readonly #walkers = new WeakMap<PaddingLayout, Record<(typeof ALGORITHMS)[number], FillWalker>>();

  /** Digests of `src`; `yieldEvery` is awaited between 1 MiB chunks of a read (signals stay live). */
  async digests(src: PieceSource, opts: { signal?: AbortSignal; yieldEvery?: () => Promise<void> } = {}): Promise<ContentDigests> {
    opts.signal?.throwIfAborted();
    if (src instanceof VirtualPieceSource && src.files.length === 1 && src.files[0]!.path === undefined) return this.#virtual(src, opts);
    const [md5, sha1, sha256] = await readHashed(src, ALGORITHMS, opts);
    return { md5: md5!, sha1: sha1!, sha256: sha256! };
  }

  /**
   * The SHA-256 alone of `src`, every byte read: the check of a folder decoy's whole content against
   * its record, whose files' own digests then come from digests() (checkpoints). Hashing the whole
   * content in all three algorithms as well hashed a folder twice (issue 15, item 5).
   */
  async sha256(src: PieceSource, opts: { signal?: AbortSignal; yieldEvery?: () => Promise<void> } = {}): Promise<string> {
    opts.signal?.throwIfAborted();
    return (await readHashed(src, ['sha256'], opts))[0]!;
  }

  async #virtual(src: VirtualPieceSource, opts: { signal?: AbortSignal; yieldEvery?: () => Promise<void> }): Promise<ContentDigests> {
    const f = src.files[0]!;
    const { head, tailLength } = f.layout;
    const fillLength = f.size - tailLength - head.length;
    if (fillLength < 0) throw new RangeError(`decoy size ${f.size} below the layout's minimum ${head.length + tailLength}`);
    const tail = f.layout.tail(f.size, f.nonce);
    const w = this.#walkersFor(f.layout);
    // The first decoy of a layout walks its fill once (4 MiB a step, bounded loop); later ones reuse the checkpoints.
    for (const a of ALGORITHMS) {
      while (!w[a].advanceToward(fillLength)) {
        if (opts.yieldEvery) { await opts.yieldEvery(); opts.signal?.throwIfAborted(); }
      }
    }
    const digest = (a: (typeof ALGORITHMS)[number]) => w[a].after(fillLength).update(tail).digest('hex');
    return { md5: digest('md5'), sha1: digest('sha1'), sha256: digest('sha256') };
  }

  #walkersFor(l: PaddingLayout) {
    let w = this.#walkers.get(l);
    if (w === undefined) {
      const make = (algorithm: (typeof ALGORITHMS)[number]) => new FillWalker({ algorithm, prefix: l.head, fill: l.fill, step: STEP, maxFill: MAX_DECOY_SIZE });
      w = { md5: make('md5'), sha1: make('sha1'), sha256: make('sha256') };
      this.#walkers.set(l, w);
    }
    return w;
  }
}

/** Hex digests of `src` in each algorithm, read in 1 MiB chunks (bounded memory whatever the size). */
async function readHashed(src: PieceSource, algorithms: readonly string[], opts: { signal?: AbortSignal; yieldEvery?: () => Promise<void> }): Promise<string[]> {
  const hs = algorithms.map((a) => createHash(a));
  for (let off = 0; off < src.length; off += CHUNK) {
    const b = src.read(off, Math.min(CHUNK, src.length - off));
    for (const h of hs) h.update(b);
    if (opts.yieldEvery) { await opts.yieldEvery(); opts.signal?.throwIfAborted(); }
  }
  return hs.map((h) => h.digest('hex'));
}

/** Sort key that lets the fill walkers' cursors move forward only: by layout, then by size. */
export function fillOrder(src: PieceSource): number {
  return src instanceof VirtualPieceSource && src.files.length === 1 ? src.files[0]!.size : Number.MAX_SAFE_INTEGER;
}

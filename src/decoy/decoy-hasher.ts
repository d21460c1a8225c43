import { createHash } from 'node:crypto';
import type { PaddingLayout } from '../payload/variants/layout.ts';
import { FillWalker } from './fill-walker.ts';
import { VirtualPieceSource, type DecoyFile } from './virtual-source.ts';

/** Largest decoy content (64 GiB): bounds the hash checkpoints kept per layout. */
export const MAX_DECOY_SIZE = 64 * 1024 ** 3;
/** SHA-256 checkpoint spacing over the fill: 16,384 states at most per layout, <= 4 MiB hashed per random query. */
const SHA256_STEP = 4 * 1024 * 1024;
/** SHA-1 checkpoint spacing for the partial fill at the start of a decoy's last pieces (pieces are <= 16 MiB). */
const SHA1_STEP = 64 * 1024;
const SHA1_MAX_FILL = 16 * 1024 * 1024;

export interface DecoyHashes {
  /** BEP 3 `pieces`. */
  readonly pieces: Uint8Array;
  /** SHA-256 of the whole content, hex. */
  readonly contentSha256: string;
}

interface LayoutCache {
  readonly sha256: FillWalker;
  /** Hashes of pieces that overlap the head and end in the fill, by `${pieceLength}:${index}`. */
  readonly headPieces: Map<string, Uint8Array>;
}

/**
 * Piece hashes and content SHA-256 of virtual decoys, reusing everything that does
 * not depend on the decoy: pieces over the head, pieces wholly in the fill (one hash
 * per fill byte and piece length), and hash states over the fill. Per single-file
 * decoy it hashes only the tail and at most a few KB of fill beyond a checkpoint
 * (none when decoys come in size order). Caches are per layout object and bounded by
 * MAX_DECOY_SIZE; share one hasher across batches.
 */
export class DecoyHasher {
  readonly #layouts = new WeakMap<PaddingLayout, LayoutCache>();
  readonly #fillPieces = new Map<string, Uint8Array>();
  readonly #sha1Fill = new Map<number, FillWalker>();
  readonly #blocks = new Map<string, Uint8Array>();

  hash(files: readonly DecoyFile[], pieceLength: number): DecoyHashes {
    const only = files.length === 1 ? files[0]! : undefined;
    return only && only.path === undefined ? this.#single(only, pieceLength) : this.#multi(files, pieceLength);
  }

  #single(f: DecoyFile, P: number): DecoyHashes {
    const S = f.size;
    if (S > MAX_DECOY_SIZE) throw new RangeError(`decoy size ${S} over the limit of ${MAX_DECOY_SIZE}`);
    const { head, fill, tailLength } = f.layout;
    const H = head.length;
    const ts = S - tailLength;
    if (ts < H) throw new RangeError(`decoy size ${S} below the layout's minimum ${H + tailLength}`);
    const cache = this.#cache(f.layout);
    const tail = f.layout.tail(S, f.nonce);
    const count = Math.ceil(S / P);
    const pieces = new Uint8Array(count * 20);
    let direct: VirtualPieceSource | undefined;
    for (let i = 0; i < count; i++) {
      const a = i * P;
      const b = Math.min(S, a + P);
      let h: Uint8Array;
      if (b <= ts) {
        h = a >= H ? this.#fillPiece(fill, P) : this.#headPiece(cache, f.layout, P, i);
      } else if (a >= H) {
        const fillLen = Math.max(0, ts - a);
        const hs = this.#sha1Walker(fill).after(fillLen);
        hs.update(tail.subarray(Math.max(0, a - ts), b - ts));
        h = hs.digest();
      } else {
        direct ??= new VirtualPieceSource([f]);
        h = createHash('sha1').update(direct.read(a, b - a)).digest();
      }
      pieces.set(h, i * 20);
    }
    const sha = cache.sha256.after(ts - H).update(tail).digest('hex');
    return { pieces, contentSha256: sha };
  }

  /**
   * Multi-file decoys: pieces wholly inside one file's fill reuse the cached fill
   * hash; the rest, and the content SHA-256, are hashed from the virtual bytes.
   */
  #multi(files: readonly DecoyFile[], P: number): DecoyHashes {
    const src = new VirtualPieceSource(files);
    if (src.length > MAX_DECOY_SIZE) throw new RangeError(`decoy size ${src.length} over the limit of ${MAX_DECOY_SIZE}`);
    const fills: { from: number; to: number; fill: number }[] = [];
    let at = 0;
    for (const f of files) {
      fills.push({ from: at + f.layout.head.length, to: at + f.size - f.layout.tailLength, fill: f.layout.fill });
      at += f.size;
    }
    const count = Math.ceil(src.length / P);
    const pieces = new Uint8Array(count * 20);
    const sha = createHash('sha256');
    let k = 0;
    for (let i = 0; i < count; i++) {
      const a = i * P;
      const b = Math.min(src.length, a + P);
      while (k < fills.length - 1 && fills[k]!.to <= a) k++;
      const r = fills[k]!;
      const inFill = a >= r.from && b <= r.to && b - a === P;
      const bytes = inFill ? undefined : src.read(a, b - a);
      pieces.set(inFill ? this.#fillPiece(r.fill, P) : createHash('sha1').update(bytes!).digest(), i * 20);
      sha.update(bytes ?? this.#fullBlock(r.fill, P));
    }
    return { pieces, contentSha256: sha.digest('hex') };
  }

  #cache(l: PaddingLayout): LayoutCache {
    let c = this.#layouts.get(l);
    if (c === undefined) {
      c = { sha256: new FillWalker({ algorithm: 'sha256', prefix: l.head, fill: l.fill, step: SHA256_STEP, maxFill: MAX_DECOY_SIZE }), headPieces: new Map() };
      this.#layouts.set(l, c);
    }
    return c;
  }

  #headPiece(c: LayoutCache, l: PaddingLayout, P: number, i: number): Uint8Array {
    const key = `${P}:${i}`;
    let h = c.headPieces.get(key);
    if (h === undefined) {
      const a = i * P;
      const hs = createHash('sha1').update(l.head.subarray(a, Math.min(a + P, l.head.length)));
      const fillLen = a + P - l.head.length;
      if (fillLen > 0) hs.update(this.#fillBlock(l.fill, fillLen));
      h = new Uint8Array(hs.digest());
      c.headPieces.set(key, h);
    }
    return h;
  }

  #fillPiece(fill: number, P: number): Uint8Array {
    const key = `${fill}:${P}`;
    let h = this.#fillPieces.get(key);
    if (h === undefined) {
      h = new Uint8Array(createHash('sha1').update(this.#fullBlock(fill, P)).digest());
      this.#fillPieces.set(key, h);
    }
    return h;
  }

  /** One piece of fill, kept per (fill byte, piece length): at most 2 x 11 piece lengths. */
  #fullBlock(fill: number, P: number): Uint8Array {
    const key = `${fill}:${P}`;
    let b = this.#blocks.get(key);
    if (b === undefined) { b = this.#fillBlock(fill, P); this.#blocks.set(key, b); }
    return b;
  }

  #fillBlock(fill: number, n: number): Uint8Array {
    return new Uint8Array(n).fill(fill);
  }

  #sha1Walker(fill: number): FillWalker {
    let w = this.#sha1Fill.get(fill);
    if (w === undefined) {
      w = new FillWalker({ algorithm: 'sha1', fill, step: SHA1_STEP, maxFill: SHA1_MAX_FILL });
      this.#sha1Fill.set(fill, w);
    }
    return w;
  }
}

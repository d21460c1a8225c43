import type { PieceSource } from '../domain/piece-source.ts';
import type { PaddingLayout } from '../payload/variants/layout.ts';

/** One file of a decoy: a payload variant's layout, the file's exact size and its nonce. */
export interface DecoyFile {
  readonly layout: PaddingLayout;
  readonly size: number;
  readonly nonce: Uint8Array;
  /** Path inside the torrent's folder (multi-file decoys); absent for single-file decoys. */
  readonly path?: readonly string[];
}

/**
 * A decoy's content computed on demand (issue 3 §5): the files' bytes, each
 * head || fill || tail, concatenated in order (BEP 3 multi-file layout). Holds only
 * references to shared layouts plus a nonce and size per file; tails (a few bytes to
 * a few KB) are built on first use.
 */
export class VirtualPieceSource implements PieceSource {
  readonly files: readonly DecoyFile[];
  readonly length: number;
  #tails: (Uint8Array | undefined)[] | undefined;

  constructor(files: readonly DecoyFile[]) {
    this.files = files;
    let n = 0;
    for (const f of files) n += f.size;
    this.length = n;
  }

  /**
   * Exactly `length` bytes from `offset`. A range inside one file's head or fill, as nearly every
   * 16 KiB block a peer requests is, comes back as a view of the shared head or of a shared run of
   * fill bytes, without a copy (as BytesPieceSource does): callers must not modify it. Allocating
   * and filling a new array per block cost ~10 % of the seeder's CPU and most of its GC while
   * serving (bench:serve --cpu-prof), against the target CPU per GB <= libtorrent's.
   */
  read(offset: number, length: number): Uint8Array {
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > this.length) {
      throw new RangeError(`read [${offset}, ${offset + length}) outside content [0, ${this.length})`);
    }
    const view = this.#view(offset, length);
    if (view) return view;
    const out = new Uint8Array(length);
    let fileStart = 0;
    let done = 0;
    for (let i = 0; i < this.files.length && done < length; i++) {
      const f = this.files[i]!;
      const fileEnd = fileStart + f.size;
      const pos = offset + done;
      if (pos < fileEnd) {
        const n = Math.min(length - done, fileEnd - pos);
        this.#readFile(i, f, pos - fileStart, out.subarray(done, done + n));
        done += n;
      }
      fileStart = fileEnd;
    }
    return out;
  }

  /** The range as a view of shared bytes when it lies inside one file's head or fill; else undefined. */
  #view(offset: number, length: number): Uint8Array | undefined {
    let fileStart = 0;
    for (const f of this.files) {
      const fileEnd = fileStart + f.size;
      if (offset < fileEnd) {
        const at = offset - fileStart;
        const end = at + length;
        const { head, fill, tailLength } = f.layout;
        if (end > f.size - tailLength) return undefined; // reaches the tail, or the next file
        if (end <= head.length) return head.subarray(at, end);
        if (at >= head.length && length <= SHARED_FILL_BYTES) return sharedFill(fill).subarray(0, length);
        return undefined;
      }
      fileStart = fileEnd;
    }
    return undefined;
  }

  /** Fills `out` with the file's bytes from `at`. */
  #readFile(i: number, f: DecoyFile, at: number, out: Uint8Array): void {
    const { head, fill, tailLength } = f.layout;
    const tailStart = f.size - tailLength;
    const end = at + out.length;
    if (at < head.length) out.set(head.subarray(at, Math.min(end, head.length)), 0);
    const fillFrom = Math.max(at, head.length);
    const fillTo = Math.min(end, tailStart);
    if (fillTo > fillFrom && fill !== 0) out.fill(fill, fillFrom - at, fillTo - at); // new arrays are already zero
    if (end > tailStart) {
      const t = this.#tail(i, f);
      const from = Math.max(at, tailStart);
      out.set(t.subarray(from - tailStart, end - tailStart), from - at);
    }
  }

  #tail(i: number, f: DecoyFile): Uint8Array {
    this.#tails ??= new Array<Uint8Array | undefined>(this.files.length);
    let t = this.#tails[i];
    if (t === undefined) { t = f.layout.tail(f.size, f.nonce); this.#tails[i] = t; }
    return t;
  }
}

/** Longest fill range read() returns as a view (the hashers read 1 MiB at a time, peers 16 KiB). */
const SHARED_FILL_BYTES = 1 << 20;
const fills = new Map<number, Uint8Array>();

/** SHARED_FILL_BYTES of one fill byte, made once per value and shared by every decoy; never modified. */
function sharedFill(value: number): Uint8Array {
  let b = fills.get(value);
  if (b === undefined) { b = new Uint8Array(SHARED_FILL_BYTES).fill(value); fills.set(value, b); }
  return b;
}

import { createHash } from 'node:crypto';
import { type InfoLayout, pieceHash, pieceSize } from './info-layout.ts';

/** BEP 3: blocks of 16 KiB are what every client requests and serves. */
export const BLOCK_SIZE = 16 * 1024;

export interface BlockRef { readonly piece: number; readonly offset: number; readonly length: number }

export type BlockOutcome =
  | { readonly kind: 'partial' }
  | { readonly kind: 'verified'; readonly piece: number; readonly size: number }
  | { readonly kind: 'corrupt'; readonly piece: number };

interface PieceBuffer { readonly data: Uint8Array; received: number }

/**
 * Request scheduling and SHA-1 verification for the first `wantedPieces`
 * pieces, without any I/O: the session asks for the next block, hands back
 * blocks as they arrive and learns when a piece verified or failed.
 * Content lives in memory only; with `keepContent` verified pieces are kept
 * to hash the whole content at the end.
 */
export class PieceAssembler {
  readonly #layout: InfoLayout;
  readonly #wanted: number;
  readonly #keep: boolean;
  /** Blocks not yet requested of started pieces, plus blocks handed back after a choke (BEP 3: a choke drops pending requests). */
  readonly #pending: BlockRef[] = [];
  /** 1 for pieces whose blocks were queued; `#lowest` is the first piece not started. */
  readonly #started: Uint8Array;
  #lowest = 0;
  readonly #inProgress = new Map<number, PieceBuffer>();
  readonly #verified: (Uint8Array | undefined)[];
  #verifiedCount = 0;

  constructor(layout: InfoLayout, wantedPieces: number, keepContent: boolean) {
    if (!Number.isSafeInteger(wantedPieces) || wantedPieces < 1 || wantedPieces > layout.pieceCount) {
      throw new RangeError(`wantedPieces must be in [1, ${layout.pieceCount}], got ${wantedPieces}`);
    }
    this.#layout = layout;
    this.#wanted = wantedPieces;
    this.#keep = keepContent;
    this.#started = new Uint8Array(wantedPieces);
    this.#verified = new Array<Uint8Array | undefined>(keepContent ? wantedPieces : 0);
  }

  get verifiedCount(): number { return this.#verifiedCount; }
  get done(): boolean { return this.#verifiedCount === this.#wanted; }

  /** Next block to request among pieces the peer has, in piece order; undefined when none is available now. */
  next(peerHas: (piece: number) => boolean): BlockRef | undefined {
    const i = this.#pending.findIndex((b) => peerHas(b.piece));
    if (i >= 0) return this.#pending.splice(i, 1)[0];
    while (this.#lowest < this.#wanted && this.#started[this.#lowest] === 1) this.#lowest++;
    // Pieces the peer lacks are skipped, and picked up once it announces them (have/bitfield).
    for (let p = this.#lowest; p < this.#wanted; p++) {
      if (this.#started[p] === 1 || !peerHas(p)) continue;
      this.#started[p] = 1;
      const size = pieceSize(this.#layout, p);
      for (let off = BLOCK_SIZE; off < size; off += BLOCK_SIZE) this.#pending.push(this.#block(p, off));
      return this.#block(p, 0);
    }
    return undefined;
  }

  /** A requested block will not arrive (choked); request it again later. */
  requeue(block: BlockRef): void {
    this.#pending.unshift(block);
  }

  /** Stores a block that answered `block` (same length) and verifies its piece once complete. */
  accept(block: BlockRef, data: Uint8Array): BlockOutcome {
    if (data.length !== block.length) throw new RangeError(`block length ${data.length} != requested ${block.length}`);
    let buf = this.#inProgress.get(block.piece);
    if (buf === undefined) {
      buf = { data: new Uint8Array(pieceSize(this.#layout, block.piece)), received: 0 };
      this.#inProgress.set(block.piece, buf);
    }
    buf.data.set(data, block.offset);
    buf.received += data.length;
    if (buf.received < buf.data.length) return { kind: 'partial' };
    this.#inProgress.delete(block.piece);
    const digest = createHash('sha1').update(buf.data).digest();
    if (!digest.equals(pieceHash(this.#layout, block.piece))) return { kind: 'corrupt', piece: block.piece };
    this.#verifiedCount++;
    if (this.#keep) this.#verified[block.piece] = buf.data;
    return { kind: 'verified', piece: block.piece, size: buf.data.length };
  }

  /** SHA-256 of the whole content, when every piece was wanted, kept and verified. */
  contentSha256(): string | undefined {
    if (!this.#keep || !this.done || this.#wanted !== this.#layout.pieceCount) return undefined;
    const h = createHash('sha256');
    for (const p of this.#verified) if (p !== undefined) h.update(p);
    return h.digest('hex');
  }

  #block(piece: number, offset: number): BlockRef {
    return { piece, offset, length: Math.min(BLOCK_SIZE, pieceSize(this.#layout, piece) - offset) };
  }
}

/**
 * How a decoy's bytes are laid out around a payload variant (issue 3 §3-§5):
 *
 *   content = head || fill^n || tail(size, nonce)
 *
 * `head` is the variant plus whatever opens the container's ignorable padding (an MP4
 * `free` box header, say) and is the same for every decoy of the variant. The fill
 * is one repeated byte, so piece hashes and hash states over it are computed once
 * and reused. Only `tail` depends on the decoy (its size and 32-byte nonce), and it
 * is short, so a decoy costs O(metadata) whatever its size. Formats whose tail must
 * point back into the file (a ZIP central directory) get the size to compute it.
 */
export interface PaddingLayout {
  /** Format key, e.g. "mp4": stored with each decoy so its bytes can be recomputed. */
  readonly format: string;
  readonly head: Uint8Array;
  /** The repeated fill byte (0x00, or 0x20 for text formats). */
  readonly fill: number;
  /** Length of tail(); constant for a layout. */
  readonly tailLength: number;
  /** The decoy-specific end of the content: exactly `tailLength` bytes. */
  tail(size: number, nonce: Uint8Array): Uint8Array;
  /** Where the padding goes and why players ignore it, for the docs and `payload variants`. */
  readonly paddingDoc: string;
}

/** Bytes of per-decoy randomness: 256 bits, so two decoys never share content by chance. */
export const NONCE_BYTES = 32;

export function minSize(l: PaddingLayout): number {
  return l.head.length + l.tailLength;
}

/** A layout whose head is `variant` + `opener` and whose tail is `closer(nonce)`, independent of size. */
export function simpleLayout(format: string, variant: Uint8Array, opts: {
  opener?: Uint8Array; fill?: number; closer: (nonce: Uint8Array) => Uint8Array; tailLength: number; paddingDoc: string;
}): PaddingLayout {
  const opener = opts.opener ?? new Uint8Array(0);
  const head = new Uint8Array(variant.length + opener.length);
  head.set(variant, 0);
  head.set(opener, variant.length);
  return {
    format, head, fill: opts.fill ?? 0, tailLength: opts.tailLength, paddingDoc: opts.paddingDoc,
    tail(_size, nonce) {
      const t = opts.closer(nonce);
      if (t.length !== opts.tailLength) throw new RangeError(`${format} tail is ${t.length} bytes, expected ${opts.tailLength}`);
      return t;
    },
  };
}

const EMPTY = new Uint8Array(0);

/**
 * BEP 47 pad file inside a hybrid (BEP 52) decoy: zeros that start the next file on a
 * piece boundary. Clients need not store them; they are part of the v1 content only.
 */
export const PAD_LAYOUT: PaddingLayout = {
  format: 'pad', head: EMPTY, fill: 0, tailLength: 0, tail: () => EMPTY,
  paddingDoc: 'BEP 47 pad file (attr "p"): zeros aligning the next file of a hybrid torrent to a piece boundary',
};

/** Concatenates byte arrays into a new array (never aliases an input). */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let len = 0;
  for (const p of parts) len += p.length;
  const out = new Uint8Array(len);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** Index of `needle` in `hay[from .. limit)` (the match must end by `limit`), or -1. */
export function indexOfBytes(hay: Uint8Array, needle: Uint8Array, from: number, limit: number): number {
  const end = Math.min(limit, hay.length) - needle.length;
  const first = needle[0];
  outer: for (let i = Math.max(0, from); i <= end; i++) {
    if (hay[i] !== first) continue;
    for (let k = 1; k < needle.length; k++) {
      if (hay[i + k] !== needle[k]) continue outer;
    }
    return i;
  }
  return -1;
}

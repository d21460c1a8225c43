/** Helpers for per-decoy data kept column-wise in typed arrays (the torrent index, the DHT announce scheduler). */

/** `bigger` with `old`'s elements copied to its start: a column grown to a new capacity. */
export function grown<T extends Uint8Array | Uint32Array | Float64Array>(old: T, bigger: T): T {
  bigger.set(old as never);
  return bigger;
}

/** Writes a 40-char hex infohash into `scratch` (20 bytes) and returns it; throws on anything else. */
export function infoHashKey(infoHashHex: string, scratch: Buffer): Buffer {
  if (infoHashHex.length !== 40 || scratch.write(infoHashHex, 'hex') !== 20) throw new RangeError(`not a 40-char hex infohash: ${infoHashHex}`);
  return scratch;
}

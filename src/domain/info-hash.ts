/** A BitTorrent v1 infohash: SHA-1 of the bencoded info dictionary (BEP 3), as 40 lowercase hex chars. */
export type InfoHashHex = string;

const HEX40 = /^[0-9a-f]{40}$/;

export function isInfoHashHex(s: string): s is InfoHashHex {
  return HEX40.test(s);
}

export function infoHashToHex(bytes: Uint8Array): InfoHashHex {
  if (bytes.length !== 20) throw new RangeError(`infohash must be 20 bytes, got ${bytes.length}`);
  return Buffer.from(bytes).toString('hex');
}

export function infoHashFromHex(hex: string): Uint8Array {
  const h = hex.toLowerCase();
  if (!isInfoHashHex(h)) throw new RangeError(`not a 40-char hex infohash: ${hex}`);
  return new Uint8Array(Buffer.from(h, 'hex'));
}

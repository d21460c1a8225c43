/**
 * BEP 3: a plaintext handshake begins with the byte 19 followed by "BitTorrent protocol".
 * An MSE initiator begins with Ya, a random-looking 96-byte DH key, so an accepting peer
 * can tell the two apart from the first 20 bytes (spec, "Interoperability": a responder
 * that supports both "must detect the plaintext handshake").
 */
const PLAIN_PREFIX = new Uint8Array([19, ...new TextEncoder().encode('BitTorrent protocol')]);

/** Number of leading bytes needed for a definite 'plain' answer. */
export const CLASSIFY_BYTES = PLAIN_PREFIX.length;

/**
 * True if the first bytes are a plaintext BitTorrent handshake prefix (19, "BitTorrent protocol");
 * needs >= 20 bytes to be sure, returns 'plain' | 'mse' | 'need-more'.
 * Answers 'mse' as soon as any available byte differs from the prefix.
 */
export function classifyFirstBytes(b: Uint8Array): 'plain' | 'mse' | 'need-more' {
  const n = Math.min(b.length, PLAIN_PREFIX.length);
  for (let i = 0; i < n; i++) {
    if (b[i] !== PLAIN_PREFIX[i]) return 'mse';
  }
  return n === PLAIN_PREFIX.length ? 'plain' : 'need-more';
}

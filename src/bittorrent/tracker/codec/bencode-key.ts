/**
 * Raw bytes of a decoded bencode dictionary key: src/bencode keeps keys as true latin1
 * (one char per byte), so binary keys such as BEP 48 scrape infohashes round-trip exactly.
 */
export function bencodeKeyBytes(key: string): Uint8Array {
  for (let i = 0; i < key.length; i++) {
    if (key.charCodeAt(i) > 0xff) throw new RangeError('dictionary key was not produced by the bencode decoder');
  }
  return new Uint8Array(Buffer.from(key, 'latin1'));
}

/**
 * Raw bytes of a decoded bencode dictionary key. src/bencode decodes keys
 * with TextDecoder('latin1'), which WHATWG maps to windows-1252: bytes
 * 0x80-0x9F become other code points (0x80 -> U+20AC), so
 * Buffer.from(key, 'latin1') would be wrong for binary keys such as BEP 48
 * scrape infohashes. This inverts the decoder's exact table.
 */
const REVERSE = new Map<number, number>();
{
  const d = new TextDecoder('latin1');
  for (let b = 0; b < 256; b++) REVERSE.set(d.decode(Uint8Array.of(b)).charCodeAt(0), b);
}

export function bencodeKeyBytes(key: string): Uint8Array {
  const out = new Uint8Array(key.length);
  for (let i = 0; i < key.length; i++) {
    const b = REVERSE.get(key.charCodeAt(i));
    if (b === undefined) throw new RangeError('dictionary key was not produced by the bencode decoder');
    out[i] = b;
  }
  return out;
}

/**
 * Percent-encoding of BINARY values in a URL query (BEP 3: info_hash and
 * peer_id are raw 20-byte strings, "urlencoded"). URLSearchParams decodes
 * as UTF-8 and replaces invalid sequences with U+FFFD, which corrupts
 * high bytes, so these helpers work byte by byte.
 */
import { TrackerCodecError } from './errors.ts';

/** RFC 3986 2.3 unreserved characters are sent as-is; every other byte as %XX. */
export function percentEncodeBytes(b: Uint8Array): string {
  let s = '';
  for (const c of b) {
    const unreserved = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)
      || c === 0x2d || c === 0x2e || c === 0x5f || c === 0x7e;
    s += unreserved ? String.fromCharCode(c) : `%${c < 16 ? '0' : ''}${c.toString(16).toUpperCase()}`;
  }
  return s;
}

export function percentEncodeText(s: string): string {
  return percentEncodeBytes(new TextEncoder().encode(s));
}

function hexVal(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/**
 * Decodes one query component to bytes. `+` is a space (HTML form encoding,
 * which trackers and clients follow); well-behaved clients send a literal
 * plus as %2B. A raw character is taken as its latin1 byte, since Node hands
 * the request line over one char per byte; controls and spaces are rejected.
 */
export function percentDecode(s: string, what: string): Uint8Array {
  const out = new Uint8Array(s.length);
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x25) {
      const hi = hexVal(s.charCodeAt(i + 1)), lo = hexVal(s.charCodeAt(i + 2));
      if (hi < 0 || lo < 0) throw new TrackerCodecError('bad-escape', `invalid percent escape in ${what}`);
      out[n++] = (hi << 4) | lo;
      i += 2;
    } else if (c === 0x2b) {
      out[n++] = 0x20;
    } else if (c <= 0x20 || c === 0x7f || c > 0xff) {
      throw new TrackerCodecError('bad-char', `invalid character in ${what}`);
    } else {
      out[n++] = c;
    }
  }
  return out.slice(0, n);
}

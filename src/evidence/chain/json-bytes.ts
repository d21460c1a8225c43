/**
 * A growable byte buffer that canonical JSON (canonical-json.ts) is written into as UTF-8, for the
 * chain's hot path: writing a record's bytes straight into one reused buffer and hashing them costs
 * about half of building the text as a string (many small concatenations, flattened again by the hash).
 */
export class JsonBytes {
  buf: Buffer;
  len = 0;

  constructor(capacity = 4096) { this.buf = Buffer.allocUnsafeSlow(capacity); }

  reset(): void { this.len = 0; }

  /** The bytes written so far (a view: valid until the next write). */
  view(): Buffer { return this.buf.subarray(0, this.len); }

  /** The bytes from `start` on, decoded as UTF-8. */
  text(start = 0): string { return this.buf.toString('utf8', start, this.len); }

  #room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafeSlow(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(bigger, 0, 0, this.len);
    this.buf = bigger;
  }

  byte(b: number): void {
    this.#room(1);
    this.buf[this.len++] = b;
  }

  /** A string as UTF-8, unescaped (keys, literals, record headers). */
  raw(s: string): void {
    if (s.length > 32) return this.#utf8(s, this.len); // a native copy is cheaper for long strings
    this.#room(s.length);
    const { buf } = this;
    const start = this.len;
    let p = start;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c > 0x7f) return this.#utf8(s, start);
      buf[p++] = c;
    }
    this.len = p;
  }

  /** A safe integer in decimal, as String(n) writes it (the caller has checked it is one). */
  int(n: number): void {
    this.#room(24); // a sign and at most 16 digits below 2^53
    if (n < 0) { this.buf[this.len++] = 0x2d; n = -n; }
    if (n < 0x80000000) return this.#uint31(n, 0);
    // Above 2^31: two parts below 10^8, so the digits come from int32 arithmetic (double % is slow).
    let hi = Math.floor(n / 1e8);
    let lo = n - hi * 1e8;
    if (lo < 0) { hi--; lo += 1e8; } else if (lo >= 1e8) { hi++; lo -= 1e8; }
    this.#uint31(hi, 0);
    this.#uint31(lo, 8);
  }

  /** An int32 n >= 0 in decimal, left-padded with zeros to `width` digits. */
  #uint31(n: number, width: number): void {
    let digits = 1;
    for (let x = n; x >= 10; x = (x / 10) | 0) digits++;
    if (digits < width) digits = width;
    const { buf } = this;
    let p = this.len + digits;
    this.len = p;
    for (let i = 0; i < digits; i++) {
      const q = (n / 10) | 0;
      buf[--p] = 0x30 + n - q * 10;
      n = q;
    }
  }

  /** Bytes as they are. */
  bytes(b: Uint8Array): void {
    this.#room(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  /**
   * A JSON string literal, escaped exactly as JSON.stringify does (RFC 8785 section 3.2.2.2).
   * Printable ASCII without `"` or `\` is copied as is; anything else is left to JSON.stringify.
   */
  string(s: string): void {
    this.#room(s.length + 2);
    const { buf } = this;
    const start = this.len;
    let p = start;
    buf[p++] = 0x22;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) return this.#utf8(JSON.stringify(s), start);
      buf[p++] = c;
    }
    buf[p++] = 0x22;
    this.len = p;
  }

  /** Writes `s` as UTF-8 at `start` (dropping whatever a fast path wrote from there). */
  #utf8(s: string, start: number): void {
    this.len = start;
    this.#room(3 * s.length); // UTF-8 needs at most 3 bytes per UTF-16 code unit
    this.len += this.buf.write(s, this.len, 'utf8');
  }

  /** Lowercase hex digits of `bytes` (no quotes). */
  hex(bytes: Uint8Array): void {
    this.#room(2 * bytes.length);
    const { buf } = this;
    let p = this.len;
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i]!;
      buf[p++] = HEX_DIGITS[b >> 4]!;
      buf[p++] = HEX_DIGITS[b & 15]!;
    }
    this.len = p;
  }
}

const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');

/**
 * Rows in PostgreSQL's binary COPY format (PostgreSQL docs, COPY, "Binary Format"):
 *   header:  "PGCOPY\n\377\r\n\0" | int32 flags = 0 | int32 header extension length = 0
 *   a row:   int16 field count | per field: int32 byte length (-1 = NULL) | the value's bytes
 *   trailer: int16 -1
 * Values are in each type's binary send format: bigint = 8 bytes big-endian, text = its UTF-8
 * bytes, bytea = its bytes. Used by the centre's ingest (issue 12 target: >= 100,000 records/s):
 * the text format costs an escape pass over every record text and a hex encoding of every hash
 * here, and the matching decoding in PostgreSQL.
 */
export const BINARY_COPY_HEADER = Buffer.concat([Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)]);
export const BINARY_COPY_TRAILER = Buffer.from([0xff, 0xff]);

export class BinaryRows {
  #buf: Buffer;
  #len = 0;

  constructor(capacity = 1 << 20) { this.#buf = Buffer.allocUnsafe(capacity); }

  get length(): number { return this.#len; }

  row(fields: number): this { this.#room(2); this.#len = this.#buf.writeInt16BE(fields, this.#len); return this; }

  bigint(v: number | null): this {
    if (v === null) return this.#null();
    this.#room(12);
    this.#len = this.#buf.writeInt32BE(8, this.#len);
    this.#len = this.#buf.writeBigInt64BE(BigInt(v), this.#len);
    return this;
  }

  text(v: string | null): this {
    if (v === null) return this.#null();
    const n = Buffer.byteLength(v, 'utf8');
    this.#room(4 + n);
    this.#len = this.#buf.writeInt32BE(n, this.#len);
    this.#len += this.#buf.write(v, this.#len, 'utf8');
    return this;
  }

  bytes(v: Uint8Array): this {
    this.#room(4 + v.length);
    this.#len = this.#buf.writeInt32BE(v.length, this.#len);
    this.#buf.set(v, this.#len);
    this.#len += v.length;
    return this;
  }

  /** The bytes written so far (a copy), and the writer emptied for the next rows. */
  take(): Buffer {
    const out = Buffer.from(this.#buf.subarray(0, this.#len));
    this.#len = 0;
    return out;
  }

  #null(): this { this.#room(4); this.#len = this.#buf.writeInt32BE(-1, this.#len); return this; }

  #room(n: number): void {
    if (this.#len + n <= this.#buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.#buf.length * 2, this.#len + n));
    this.#buf.copy(bigger, 0, 0, this.#len);
    this.#buf = bigger;
  }
}

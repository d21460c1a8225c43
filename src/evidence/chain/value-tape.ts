import type { SQLInputValue } from 'node:sqlite';
import type { ChainRow } from './chain-inline.ts';

/**
 * A batch's rows packed for the chain worker, so that handing them over costs the main thread
 * little: numbers, tags and blob bytes go into shared memory (not copied), and the strings into one
 * array, which postMessage copies as flat strings. Cloning the rows themselves cost the main thread
 * ~1.5 µs a row, and encoding their JSON here ~1.4 µs; packing them ~0.2 µs plus ~0.3 µs to post.
 * TapeReader gives back the same values (a blob as a Uint8Array view of the shared bytes), so the
 * worker chains exactly what chainInline would.
 */
export interface ValueTape {
  readonly rows: number;
  /** The batch's distinct kinds; kindOf[i] indexes them. */
  readonly kinds: readonly string[];
  readonly kindOf: Uint8Array;
  /** How many values each row has. */
  readonly widths: Uint16Array;
  /** One per value: what it is (TAG_*). */
  readonly tags: Uint8Array;
  /** One per value: the number, or the byte length of a blob. */
  readonly nums: Float64Array;
  readonly blobs: Uint8Array;
  /** Each string value, and each bigint in decimal, in order. */
  readonly strings: readonly string[];
}

const TAG_UNDEFINED = 0;
const TAG_NULL = 1;
const TAG_NUMBER = 2;
const TAG_STRING = 3;
const TAG_BLOB = 4;
const TAG_BIGINT = 5;

/** Packs batches into shared memory it reuses (grown to the largest batch seen). */
export class TapeWriter {
  #rowCap = 0;
  #valueCap = 0;
  #blobCap = 0;
  #rowMem = new SharedArrayBuffer(0);
  #valueMem = new SharedArrayBuffer(0);
  #blobMem = new SharedArrayBuffer(0);

  /** Undefined when a value is of a type the record codecs do not write (the caller chains inline). */
  write(rows: readonly ChainRow[]): ValueTape | undefined {
    let values = 0;
    let blobBytes = 0;
    for (const r of rows) {
      if (r.values.length > 0xffff) return undefined;
      values += r.values.length;
      for (const v of r.values) if (v instanceof Uint8Array) blobBytes += v.length;
    }
    this.#reserve(rows.length, values, blobBytes);
    const kindOf = new Uint8Array(this.#rowMem, 0, rows.length);
    const widths = new Uint16Array(this.#rowMem, 2 * this.#rowCap, rows.length);
    const nums = new Float64Array(this.#valueMem, 0, values);
    const tags = new Uint8Array(this.#valueMem, 8 * this.#valueCap, values);
    const blobs = new Uint8Array(this.#blobMem, 0, blobBytes);
    const kinds: string[] = [];
    const strings: string[] = [];
    let kind = -1;
    let k = 0;
    let b = 0;
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i]!;
      if (r.kind !== kinds[kind]) {
        kind = kinds.indexOf(r.kind);
        if (kind < 0) kind = kinds.push(r.kind) - 1;
        if (kind > 0xff) return undefined;
      }
      kindOf[i] = kind;
      widths[i] = r.values.length;
      for (const v of r.values) {
        if (typeof v === 'number') { tags[k] = TAG_NUMBER; nums[k] = v; }
        else if (typeof v === 'string') { tags[k] = TAG_STRING; strings.push(v); }
        else if (v === null) tags[k] = TAG_NULL;
        else if (v instanceof Uint8Array) { tags[k] = TAG_BLOB; nums[k] = v.length; blobs.set(v, b); b += v.length; }
        else if (typeof v === 'bigint') { tags[k] = TAG_BIGINT; strings.push(v.toString()); }
        else if (v === undefined) tags[k] = TAG_UNDEFINED;
        else return undefined;
        k++;
      }
    }
    return { rows: rows.length, kinds, kindOf, widths, tags, nums, blobs, strings };
  }

  #reserve(rows: number, values: number, blobBytes: number): void {
    if (rows > this.#rowCap) {
      this.#rowCap = Math.max(rows, 1024);
      this.#rowMem = new SharedArrayBuffer(4 * this.#rowCap); // kindOf (1 byte, padded to 2) + widths (2)
    }
    if (values > this.#valueCap) {
      this.#valueCap = Math.max(values, 32 * 1024);
      this.#valueMem = new SharedArrayBuffer(9 * this.#valueCap); // nums (8) + tags (1)
    }
    if (blobBytes > this.#blobCap) {
      this.#blobCap = Math.max(blobBytes, 64 * 1024);
      this.#blobMem = new SharedArrayBuffer(this.#blobCap);
    }
  }
}

/**
 * Gives back the rows a tape was written from, in order, as one reused row (its values array reused
 * by width): the worker makes no garbage per row, which kept its heap ~40 MB larger.
 */
export class TapeReader {
  readonly #t: ValueTape;
  readonly #byWidth = new Map<number, SQLInputValue[]>();
  readonly #row: { kind: string; values: SQLInputValue[] } = { kind: '', values: [] };
  #next = 0;
  #k = 0;
  #s = 0;
  #b = 0;

  constructor(t: ValueTape) { this.#t = t; }

  /** Row i, valid until the next call; rows are read in order. */
  row(i: number): ChainRow {
    const t = this.#t;
    if (i !== this.#next || i >= t.rows) throw new RangeError(`tape row ${i} asked for, next is ${this.#next} of ${t.rows}`);
    this.#next++;
    const width = t.widths[i]!;
    let values = this.#byWidth.get(width);
    if (!values) this.#byWidth.set(width, values = new Array<SQLInputValue>(width));
    for (let j = 0; j < width; j++, this.#k++) values[j] = this.#value(this.#k);
    this.#row.kind = t.kinds[t.kindOf[i]!]!;
    this.#row.values = values;
    return this.#row;
  }

  #value(k: number): SQLInputValue {
    const t = this.#t;
    switch (t.tags[k]) {
      case TAG_NUMBER: return t.nums[k]!;
      case TAG_STRING: return t.strings[this.#s++]!;
      case TAG_NULL: return null;
      case TAG_BLOB: { const n = t.nums[k]!; const v = t.blobs.subarray(this.#b, this.#b + n); this.#b += n; return v; }
      case TAG_BIGINT: return BigInt(t.strings[this.#s++]!);
      default: return undefined as unknown as SQLInputValue;
    }
  }
}

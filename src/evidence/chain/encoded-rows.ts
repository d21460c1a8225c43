import { CanonicalEncodingError } from '../errors.ts';
import { codecOf } from '../../store/sqlite/record-tables/registry.ts';
import type { RecordCodec } from '../../store/sqlite/record-tables/record-table.ts';
import type { ChainRow } from './chain-inline.ts';
import { JsonBytes } from './json-bytes.ts';

/**
 * A batch's rows reduced to what their records need: each one's kind and time (the header) and its
 * `obs` canonical JSON bytes (RecordCodec.writeJson), written into one buffer in one pass.
 */
export interface EncodedRows {
  readonly count: number;
  /** The batch's distinct kinds; kindOf[i] indexes them. */
  readonly kinds: readonly string[];
  readonly kindOf: Uint8Array;
  readonly at: Float64Array;
  /** Row i's obs JSON is obs[i === 0 ? 0 : ends[i - 1], ends[i]). */
  readonly ends: Uint32Array;
  readonly obs: Uint8Array;
}

/** 8 (at) + 4 (end) + 1 (kind) bytes a row, in that order so each array is aligned. */
const ROW_BYTES = 13;

/** Encodes batches into storage it reuses (grown to the largest batch seen). */
export class RowEncoder {
  readonly #obs = new JsonBytes(64 * 1024);
  #rows = 0;
  #meta = Buffer.alloc(0);

  /**
   * Encodes rows 0..n-1 (row i chained as seq + i), asking rowAt for each in order, done with one
   * before asking for the next (the worker hands out one reused row). Throws what the records cannot
   * hold (CanonicalEncodingError), as RecordCodec.recordText would.
   */
  encode(n: number, rowAt: (i: number) => ChainRow, seq: number): EncodedRows {
    if (n > this.#rows) {
      this.#rows = Math.max(n, 1024);
      this.#meta = Buffer.allocUnsafeSlow(ROW_BYTES * this.#rows);
    }
    const { buffer, byteOffset } = this.#meta;
    const at = new Float64Array(buffer, byteOffset, n);
    const ends = new Uint32Array(buffer, byteOffset + 8 * this.#rows, n);
    const kindOf = new Uint8Array(buffer, byteOffset + 12 * this.#rows, n);
    const kinds: string[] = [];
    const out = this.#obs;
    out.reset();
    let codec: RecordCodec | undefined;
    let kind = -1;
    for (let i = 0; i < n; i++) {
      const r = rowAt(i);
      if (r.kind !== kinds[kind]) {
        kind = kinds.indexOf(r.kind);
        if (kind < 0) kind = kinds.push(r.kind) - 1;
        codec = codecOf(r.kind);
      }
      const t = r.values[codec!.timeIndex];
      if (!Number.isSafeInteger(t)) throw new CanonicalEncodingError(`bad record header (at ${String(t)}, seq ${seq + i})`);
      at[i] = t as number;
      kindOf[i] = kind;
      codec!.writeJson(out, r.values);
      if (out.len > 0xffff_ffff) throw new CanonicalEncodingError(`a chain batch of ${n} rows holds over 4 GiB of records`);
      ends[i] = out.len;
    }
    return { count: n, kinds, kindOf, at, ends, obs: out.buf.subarray(0, out.len) };
  }
}

import { hash } from 'node:crypto';
import type { SQLInputValue } from 'node:sqlite';
import { EvidenceError } from '../errors.ts';
import { HASH_LEN, type Frontier } from '../merkle.ts';
import { GENESIS_PREV, isHex64 } from '../record.ts';
import { type EncodedRows, RowEncoder } from './encoded-rows.ts';
import { FrontierStack } from './frontier-stack.ts';
import { JsonBytes } from './json-bytes.ts';
import { RecordBytes } from './record-bytes.ts';

/** One row to chain: its kind and the values bound in its insert (RecordCodec.toRow). */
export interface ChainRow {
  readonly kind: string;
  readonly values: readonly SQLInputValue[];
}

/** Rows to chain after record seq - 1, whose hash is prev. */
export interface ChainBatch {
  /** 64 lowercase hex: the node key fingerprint. */
  readonly node: string;
  /** seq of rows[0]. */
  readonly seq: number;
  /** 64 lowercase hex: hash of record seq - 1 (GENESIS_PREV when seq is 0). */
  readonly prev: string;
  /** The Merkle frontier over [0, seq); not mutated. */
  readonly frontier: Frontier;
  readonly rows: readonly ChainRow[];
}

export interface ChainResult {
  /** 32 * rows.length bytes: each record's leaf hash, in order. */
  readonly hashes: Buffer;
  /** The frontier over [0, seq + rows.length). */
  readonly frontier: Frontier;
}

/** Bounds the shared memory a batch needs (32 bytes per row). */
export const MAX_BATCH_ROWS = 1_000_000;

/** A batch without its rows. */
export type ChainHeader = Omit<ChainBatch, 'rows'>;

export function checkBatch(b: ChainHeader, rows: number): void {
  if (!isHex64(b.node) || !isHex64(b.prev)) throw new EvidenceError(`bad chain batch header (node ${b.node}, prev ${b.prev})`);
  if (!Number.isSafeInteger(b.seq) || b.seq < 0 || (b.seq === 0 && b.prev !== GENESIS_PREV)) throw new EvidenceError(`bad chain batch seq ${b.seq} (prev ${b.prev})`);
  if (b.frontier.size !== b.seq) throw new EvidenceError(`chain batch at seq ${b.seq} with a frontier over ${b.frontier.size} records`);
  if (!Number.isSafeInteger(b.seq + rows)) throw new EvidenceError(`chain batch past seq 2^53 (seq ${b.seq})`);
  if (rows > MAX_BATCH_ROWS) throw new EvidenceError(`chain batch of ${rows} rows: at most ${MAX_BATCH_ROWS}`);
}

/** The batch's hashes and frontier, in this thread: the reference the worker must match byte for byte. */
export function chainInline(b: ChainBatch): ChainResult {
  const hashes = Buffer.alloc(HASH_LEN * b.rows.length);
  return { hashes, frontier: chainInto(b, hashes) };
}

/**
 * Writes each record's leaf hash into `out` (32 bytes per row, from offset 0) and returns the
 * extended frontier. chainInline and the worker both run this, so their bytes cannot differ.
 */
export function chainInto(b: ChainBatch, out: Buffer): Frontier {
  return chainRows(b, b.rows.length, (i) => b.rows[i]!, out);
}

/** chainInto with the rows handed out one at a time (RowEncoder.encode): the worker unpacks them so. */
export function chainRows(b: ChainHeader, n: number, rowAt: (i: number) => ChainRow, out: Buffer): Frontier {
  checkBatch(b, n);
  return chainEncoded(b, encoder.encode(n, rowAt, b.seq), out);
}

const encoder = new RowEncoder();
const sink = new JsonBytes();
const recordBytes = new RecordBytes();

/**
 * chainInto over the rows encoded: record i's hash is SHA-256(0x00 || recordText(row i, seq + i,
 * hash of record i - 1, node)), the RFC 9162 leaf hash of record.ts.
 */
function chainEncoded(b: ChainHeader, rows: EncodedRows, out: Buffer): Frontier {
  if (out.length < HASH_LEN * rows.count) throw new RangeError(`${rows.count} hashes need ${HASH_LEN * rows.count} bytes, got ${out.length}`);
  const f = new FrontierStack();
  f.load(b.frontier);
  let prev = b.prev;
  let start = 0;
  for (let i = 0; i < rows.count; i++) {
    const end = rows.ends[i]!;
    sink.reset();
    sink.byte(0);
    recordBytes.write(sink, rows.kinds[rows.kindOf[i]!]!, rows.at[i]!, rows.obs.subarray(start, end), b.seq + i, prev, b.node);
    // Hex output: the next record needs it as text, and it spares a Buffer per record.
    prev = hash('sha256', sink.view(), 'hex');
    out.write(prev, i * HASH_LEN, HASH_LEN, 'hex');
    f.append(out, i * HASH_LEN);
    start = end;
  }
  return f.frontier();
}

import type { SQLInputValue } from 'node:sqlite';
import { EvidenceError } from '../errors.ts';
import { HASH_LEN, leafHashOfText, type Frontier } from '../merkle.ts';
import { GENESIS_PREV, isHex64 } from '../record.ts';
import { codecOf } from '../../store/sqlite/record-tables/registry.ts';
import { FrontierStack } from './frontier-stack.ts';

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

/** Bounds one batch's hash buffer (32 bytes per row). */
export const MAX_BATCH_ROWS = 1_000_000;

/**
 * Chains a batch, one record after the other, exactly as a verifier re-derives it: record i's text is
 * RecordCodec.recordText(row i, seq + i, hash of record i - 1, node) (evidence/record.ts layout, its
 * `obs` written by canonicalJson, the one canonical-JSON writer), its hash the RFC 9162 leaf hash
 * SHA-256(0x00 || text), and each hash is appended to the Merkle frontier (RFC 9162 section 2.1.1).
 * It runs on the evidence writer thread (src/observation/), inside the transaction that inserts the rows.
 */
export function chainRecords(b: ChainBatch): ChainResult {
  if (!isHex64(b.node) || !isHex64(b.prev)) throw new EvidenceError(`bad chain batch header (node ${b.node}, prev ${b.prev})`);
  if (!Number.isSafeInteger(b.seq) || b.seq < 0 || (b.seq === 0 && b.prev !== GENESIS_PREV)) throw new EvidenceError(`bad chain batch seq ${b.seq} (prev ${b.prev})`);
  if (b.frontier.size !== b.seq) throw new EvidenceError(`chain batch at seq ${b.seq} with a frontier over ${b.frontier.size} records`);
  if (!Number.isSafeInteger(b.seq + b.rows.length)) throw new EvidenceError(`chain batch past seq 2^53 (seq ${b.seq})`);
  if (b.rows.length > MAX_BATCH_ROWS) throw new EvidenceError(`chain batch of ${b.rows.length} rows: at most ${MAX_BATCH_ROWS}`);
  const hashes = Buffer.alloc(HASH_LEN * b.rows.length);
  const f = new FrontierStack();
  f.load(b.frontier);
  let prev = b.prev;
  for (let i = 0; i < b.rows.length; i++) {
    const row = b.rows[i]!;
    const leaf = leafHashOfText(codecOf(row.kind).recordText(row.values, b.seq + i, prev, b.node));
    leaf.copy(hashes, i * HASH_LEN);
    f.append(hashes, i * HASH_LEN);
    prev = leaf.toString('hex');
  }
  return { hashes, frontier: f.frontier() };
}

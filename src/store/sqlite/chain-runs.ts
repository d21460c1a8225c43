import type { SQLOutputValue } from 'node:sqlite';
import { HASH_LEN } from '../../evidence/merkle.ts';
import type { LogLink } from '../evidence-log.ts';

/** A run of links (evidence-003): `count` records of one kind from first_seq, rows first_row_id + k. */
export interface Run { readonly firstSeq: number; readonly kind: string; readonly firstRowId: number | null; readonly count: number; readonly hashes: Buffer }

export const toBuf = (v: unknown) => Buffer.from(v as Uint8Array);
export const linkFromRow = (r: Record<string, SQLOutputValue>): LogLink => ({
  seq: Number(r.seq), kind: String(r.kind), rowId: r.row_id === null ? null : Number(r.row_id), hash: toBuf(r.hash),
});
export const runFromRow = (r: Record<string, SQLOutputValue>): Run => ({
  firstSeq: Number(r.first_seq), kind: String(r.kind), firstRowId: r.first_row_id === null ? null : Number(r.first_row_id), count: Number(r.count), hashes: toBuf(r.hashes),
});
export const linkOf = (run: Run, k: number): LogLink => ({
  seq: run.firstSeq + k, kind: run.kind, rowId: run.firstRowId === null ? null : run.firstRowId + k, hash: run.hashes.subarray(HASH_LEN * k, HASH_LEN * (k + 1)),
});

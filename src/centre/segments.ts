import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { HASH_LEN } from '../evidence/merkle.ts';
import { BINARY_COPY_HEADER, BINARY_COPY_TRAILER, BinaryRows } from './copy-binary.ts';
import type { Lines } from './read-batch.ts';

/**
 * The centre's records are stored in segments (migration pg-centre-007): one row of centre_segments
 * per verified run [first_seq, last_seq] of a node's records, holding the records' exact texts (one
 * per line), their leaf hashes (32 bytes each) and the hash before the run. This file holds what the
 * intake reads and writes of them; everything that reads records reads them through the SQL function
 * cs_centre_records(node, from, to) (migration pg-centre-007).
 */

/** What any pg Pool, PoolClient or Client offers. */
export interface SegmentQuery { query(sql: string, params?: unknown[]): Promise<{ rows: Record<string, unknown>[] }> }

/** A stored record's leaf hash and the hash before it (its chain link), as the intake checks them. */
export interface StoredLink { readonly seq: number; readonly hash: Buffer; readonly prev: Buffer }

/**
 * The stored links of node `nodeId` for from <= seq < to, in seq order (seqs not stored are absent).
 * Reads only the slice of each segment's hashes that the range needs (hashes are stored uncompressed),
 * never the texts: the intake checks a batch against its stored neighbours in one round trip.
 */
export async function storedLinks(db: SegmentQuery, nodeId: number, from: number, to: number): Promise<StoredLink[]> {
  if (to <= from) return [];
  // From one seq before the range (the prev of its first record), within the segment.
  const rows = (await db.query(`SELECT first_seq, last_seq, prev, a, substr(hashes, (a - first_seq)::int * 32 + 1, (b - a + 1)::int * 32) AS h
    FROM (SELECT first_seq, last_seq, prev, hashes, greatest($2::bigint - 1, first_seq) AS a, least($3::bigint - 1, last_seq) AS b
          FROM centre_segments WHERE node_id = $1 AND last_seq >= $2 AND first_seq < $3) s ORDER BY first_seq`, [nodeId, from, to])).rows;
  const out: StoredLink[] = [];
  for (const r of rows) {
    const first = Number(r.first_seq), a = Number(r.a), h = r.h as Buffer;
    const at = (seq: number) => h.subarray((seq - a) * HASH_LEN, (seq - a + 1) * HASH_LEN);
    for (let seq = Math.max(from, first); seq <= Math.min(to - 1, Number(r.last_seq)); seq++) {
      out.push({ seq, hash: at(seq), prev: seq === first ? r.prev as Buffer : at(seq - 1) });
    }
  }
  return out;
}

/** One run of verified records to store as a segment row. */
export interface SegmentRow {
  readonly firstSeq: number;
  readonly lastSeq: number;
  readonly minAt: number;
  readonly maxAt: number;
  /** The hash before firstSeq, as the first record's text states it (checked against the stored record before, when there is one). */
  readonly prev: Buffer;
  /** The records' leaf hashes, 32 bytes each, in seq order. */
  readonly hashes: Buffer;
  /** The records' exact texts as received, joined by a newline (UTF-8). */
  readonly texts: Buffer;
}

/** Builds a segment's `texts`: each record's bytes as received, a newline between them (no text holds one: the intake checks). */
export function joinLines(lines: readonly Uint8Array[]): Buffer {
  let n = Math.max(0, lines.length - 1);
  for (const l of lines) n += l.length;
  const out = Buffer.allocUnsafe(n);
  let at = 0;
  for (const [i, l] of lines.entries()) {
    if (i > 0) out[at++] = 10;
    out.set(l, at);
    at += l.length;
  }
  return out;
}

/**
 * A segment's `texts` for records [from, to] of a batch: the batch's own bytes from the first
 * record's line to the last one's, newlines between them as received (read-batch.ts Lines). No copy
 * of 10-20 MB per batch (issue 12 target: >= 100,000 records/s at the centre).
 */
export function segmentTexts(lines: Lines, from: number, to: number): Buffer {
  return lines.bytes.subarray(lines.starts[from]!, lines.starts[to + 1]! - 1);
}

/**
 * Inserts a segment (in the caller's transaction) with a one-row binary COPY: the texts (10-20 MB a
 * batch) go to the socket as they are, after their length, where a parameter of an INSERT is copied
 * once more into the driver's message (issue 12 target: >= 100,000 records/s at the centre). The
 * table's exclusion constraint refuses a run that overlaps one stored for the node: a record is never
 * stored twice, whatever the caller does. PostgreSQL checks that `texts` is UTF-8.
 */
export async function insertSegment(client: pg.PoolClient | pg.Client, nodeId: number, s: SegmentRow, now: number): Promise<void> {
  const head = new BinaryRows(256 + s.hashes.length).row(9).bigint(nodeId).bigint(s.firstSeq).bigint(s.lastSeq).bigint(s.minAt).bigint(s.maxAt).bigint(now)
    .bytes(s.prev).bytes(s.hashes).take();
  const textsLength = Buffer.alloc(4);
  textsLength.writeInt32BE(s.texts.length);
  await pipeline(Readable.from([BINARY_COPY_HEADER, head, textsLength, s.texts, BINARY_COPY_TRAILER]),
    client.query(copyStreams.from('COPY centre_segments (node_id, first_seq, last_seq, min_at, max_at, received_at, prev, hashes, texts) FROM STDIN (FORMAT binary)')));
}

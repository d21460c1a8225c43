import { HASH_LEN } from '../evidence/merkle.ts';
import { isHex64 } from '../evidence/record.ts';
import { decodeBatch } from './batch-codec.ts';
import { readShippedRecord } from './shipped-record.ts';

/**
 * A shipped batch read record by record, with no database and no lock (issue 12 item 2): each
 * record is parsed (so every record stored is JSON), checked to be the sender's record at its seq,
 * leaf-hashed, and checked to link to the record before it in the batch. The same code runs on the
 * intake's thread (CentreDb.ingest, CentreServer without read workers) and on a read worker
 * (read-worker.ts); what it returns is plain data and typed arrays, so that a worker can hand it
 * back without copying. The checks against the node's stored records are CentreDb's, under the
 * node's row lock.
 */

/** Bounds of one shipped batch (a request is refused beyond them, whole). */
export const MAX_BATCH_RECORDS = 20_000;
export const MAX_BATCH_CHECKPOINTS = 100;

export interface ShippedCheckpoint { readonly text: string; readonly signature: string }

/**
 * The records' bytes as received: record i is bytes[starts[i], starts[i + 1] - 1), and the byte
 * before each record is a newline (the one ending the line before it, or the body's header line).
 */
export interface Lines { readonly bytes: Buffer; readonly starts: Uint32Array }

export interface ShipBatch {
  readonly records: readonly { readonly seq: number; readonly text: string }[];
  /** The records' bytes, when the batch came as a body (batch-codec.ts decodeBatch); else made from the texts. */
  readonly lines?: Lines;
  readonly checkpoints: readonly ShippedCheckpoint[];
  /** Records the node holds beyond this batch (its backlog), for the health view. */
  readonly backlog?: number;
}

/** A batch as readBatch found it: what CentreDb.ingestRead checks against the stored records and stores. */
export interface ReadBatch {
  readonly first: number;
  readonly count: number;
  /** The leaf hashes, SHA-256(0x00 || record bytes), 32 bytes each, in seq order. */
  readonly leaves: Buffer;
  /** Each record's time (its `at`). */
  readonly ats: Float64Array;
  /** The prev the first record's text states (hex; '' for an empty batch). */
  readonly firstPrev: string;
  /** Index of the first record that does not link to the one before it in the batch, or -1. */
  readonly breakAt: number;
  readonly lines: Lines;
  /** As shipped, each reduced to its text and signature (anything else in them is not read). */
  readonly checkpoints: readonly ShippedCheckpoint[];
  readonly backlog: number | undefined;
}

/** The batch was refused, whole, for a reason the sender must see (a broken chain, a checkpoint that does not match). */
export class RefusedBatch extends Error {
  readonly reason: string;
  constructor(reason: string, message: string) { super(message); this.name = 'RefusedBatch'; this.reason = reason; }
}

/** A request body (batch-codec.ts) decoded and read: what a read worker does with a body, and the intake without one. */
export function readBatchBody(fingerprint: string, body: Buffer): ReadBatch {
  return readBatch(fingerprint, decodeBatch(body, { maxRecords: MAX_BATCH_RECORDS, maxCheckpoints: MAX_BATCH_CHECKPOINTS }));
}

/**
 * Reads, hashes and checks each record of the batch (see the top of this file); the first break
 * of the chain inside the batch is noted, not thrown: CentreDb reports it in seq order, after the
 * checks of the stored records before it. A record that is not the node's, at its seq, is refused.
 */
export function readBatch(fingerprint: string, batch: ShipBatch): ReadBatch {
  const { records } = batch;
  const first = firstSeqOf(records);
  const lines = batch.lines ?? linesOf(records);
  if (lines.starts.length !== records.length + 1) throw new RefusedBatch('bad-record', 'the batch holds texts and bytes of different records');
  const n = records.length;
  const leaves = Buffer.alloc(n * HASH_LEN);
  const ats = new Float64Array(n);
  let firstPrev = '', breakAt = -1, before = '';
  const { bytes, starts } = lines;
  for (let i = 0; i < n; i++) {
    const text = records[i]!.text;
    // The leaf input is 0x00 || the record's bytes: the newline before the line stands in for the 0x00 while it is hashed.
    const start = starts[i]!;
    bytes[start - 1] = 0;
    let rec;
    try { rec = readShippedRecord(text, first + i, fingerprint, bytes.subarray(start - 1, starts[i + 1]! - 1)); } catch (e) { throw new RefusedBatch('bad-record', (e as Error).message); } finally { bytes[start - 1] = 10; }
    // A segment keeps one record a line: a text with a raw newline (not canonical JSON; a body's line never has one) is refused.
    if (!batch.lines && text.includes('\n')) throw new RefusedBatch('bad-record', `record ${rec.seq}: its text holds a newline (not canonical JSON)`);
    // The link, as hex strings: the hash computed for the record before against the prev this text states.
    if (i === 0) {
      if (!isHex64(rec.prev)) throw new RefusedBatch('bad-record', `record ${rec.seq}: bad prev`);
      firstPrev = rec.prev;
    } else if (breakAt < 0 && before !== rec.prev) breakAt = i;
    before = rec.hash;
    ats[i] = rec.at;
    leaves.write(rec.hash, i * HASH_LEN, HASH_LEN, 'hex');
  }
  return { first, count: n, leaves, ats, firstPrev, breakAt, lines, checkpoints: batch.checkpoints.map(plainCheckpoint), backlog: batch.backlog };
}

/** A checkpoint as shipped, reduced to its text and signature where they are strings (CentreDb refuses it otherwise). */
function plainCheckpoint(c: unknown): ShippedCheckpoint {
  const { text, signature } = (typeof c === 'object' && c !== null ? c : {}) as { text?: unknown; signature?: unknown };
  return { text: typeof text === 'string' ? text : undefined, signature: typeof signature === 'string' ? signature : undefined } as unknown as ShippedCheckpoint;
}

/** The batch's first seq, after checking that its seqs are consecutive. */
function firstSeqOf(records: ShipBatch['records']): number {
  const first = (records[0] as { seq?: unknown } | undefined)?.seq ?? 0;
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    const seq = (r as { seq?: unknown } | null)?.seq;
    if (!Number.isSafeInteger(seq) || (seq as number) < 0) throw new RefusedBatch('bad-record', `record ${i} of the batch has no valid seq`);
    if (seq !== (first as number) + i) throw new RefusedBatch('bad-record', `the batch's seqs are not consecutive at ${String(seq)}`);
  }
  return first as number;
}

/** Lines of a batch given as texts (not a body): a newline, then each text's UTF-8 bytes and a newline. */
function linesOf(records: ShipBatch['records']): Lines {
  const starts = new Uint32Array(records.length + 1);
  let at = 1;
  for (let i = 0; i < records.length; i++) {
    const text = records[i]?.text;
    starts[i] = at;
    at += (typeof text === 'string' ? Buffer.byteLength(text, 'utf8') : 0) + 1;
  }
  starts[records.length] = at;
  const bytes = Buffer.alloc(at, 10);
  for (let i = 0; i < records.length; i++) { const text = records[i]!.text; if (typeof text === 'string') bytes.write(text, starts[i]!, 'utf8'); }
  return { bytes, starts };
}

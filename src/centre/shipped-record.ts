import { hash } from 'node:crypto';
import { GENESIS_PREV } from '../evidence/record.ts';

/** Bounds on what one shipped record may be (a hostile or broken sender must not make the centre allocate without limit). */
export const MAX_RECORD_CHARS = 64 * 1024;

/** A chained record as the centre receives it: the node's exact text, and what the centre read and computed from it. */
export interface ShippedRecord {
  readonly seq: number;
  readonly at: number;
  readonly kind: string;
  /** Hash of the record before it (hex; 64 zeros for record 0), as the text states it. */
  readonly prev: string;
  /** SHA-256(0x00 || text) in hex: computed here, never taken from the sender. */
  readonly hash: string;
  readonly text: string;
}

export class ShippedRecordError extends Error {
  constructor(message: string) { super(message); this.name = 'ShippedRecordError'; }
}

/**
 * Reads a record's header (evidence/record.ts: {"at","kind","node","obs","prev","seq","v"}) and
 * hashes it. Refuses a text that is not one record of `node` at position `seq`. `leafInput`, when
 * given, is 0x00 followed by the text's UTF-8 bytes as received (batch-codec.ts): hashed as it is.
 * The hash is kept in hex, as `prev` is written in the next record: the chain check compares two
 * strings, and no Buffer is made per record (issue 12 target: >= 100,000 records/s at the centre).
 * `prev` is checked to be 64 characters here; that they are the hex of the hash before is the
 * caller's check (centre-db.ts), or isHex64 where no record before is known.
 */
export function readShippedRecord(text: unknown, seq: number, node: string, leafInput?: Buffer): ShippedRecord {
  if (typeof text !== 'string' || text.length > MAX_RECORD_CHARS) throw new ShippedRecordError(`record ${seq}: not a record text of at most ${MAX_RECORD_CHARS} characters`);
  let r: { at?: unknown; kind?: unknown; node?: unknown; obs?: unknown; prev?: unknown; seq?: unknown; v?: unknown };
  try { r = JSON.parse(text) as typeof r; } catch { throw new ShippedRecordError(`record ${seq}: not JSON`); }
  if (r === null || typeof r !== 'object') throw new ShippedRecordError(`record ${seq}: not a record`);
  if (r.seq !== seq) throw new ShippedRecordError(`record ${seq}: its text says seq ${String(r.seq)}`);
  if (r.node !== node) throw new ShippedRecordError(`record ${seq}: written by node ${String(r.node)}, not by the sender ${node}`);
  if (typeof r.prev !== 'string' || r.prev.length !== 64) throw new ShippedRecordError(`record ${seq}: bad prev`);
  if (seq === 0 && r.prev !== GENESIS_PREV) throw new ShippedRecordError('record 0: prev is not the genesis value');
  if (!Number.isSafeInteger(r.at) || typeof r.kind !== 'string' || typeof r.obs !== 'object' || r.obs === null) throw new ShippedRecordError(`record ${seq}: bad header`);
  return { seq, at: r.at as number, kind: r.kind, prev: r.prev, hash: hash('sha256', leafInput ?? `\0${text}`, 'hex'), text };
}

import { isAscii, isUtf8 } from 'node:buffer';
import type { ShipBatch, ShippedCheckpoint } from './read-batch.ts';

/**
 * The body of POST /v2/batch: one header line of JSON, then each record's exact text on a line of
 * its own, in seq order from `first`:
 *
 *   {"backlog":<n>,"checkpoints":[{"signature":"<base64>","text":"..."}],"count":<n>,"first":<seq>}\n
 *   <text of record first>\n
 *   <text of record first + 1>\n ...
 *
 * A record text is canonical JSON (evidence/canonical-json.ts): no whitespace between tokens, and
 * control characters inside strings are escaped, so a text never holds a raw newline and the line
 * is the text byte for byte. Sending the texts as lines instead of as JSON strings saves escaping
 * every quote on the node and unescaping it at the centre (issue 12 target: >= 100,000 records/s at
 * the centre; as JSON strings the body's stringify and parse cost ~17 us per record, more than the
 * record's own parse and hash). The body is signed whole (protocol.ts).
 */
export const BATCH_CONTENT_TYPE = 'application/x-counterseed-batch';

/** Bounds of one decoded batch: a request beyond them is refused, whole, before any record is read. */
export const MAX_HEADER_CHARS = 1024 * 1024;

export class BatchFormatError extends Error {
  constructor(message: string) { super(message); this.name = 'BatchFormatError'; }
}

/**
 * A body; `count` (default texts.length) lets the caller send the header alone and the records'
 * lines after it, encoded in slices (encodeLines): the shipper reads a serving node's store a slice
 * at a time.
 */
export function encodeBatch(b: { first: number; texts: readonly string[]; checkpoints: readonly ShippedCheckpoint[]; backlog: number }, count = b.texts.length): Buffer {
  const header = JSON.stringify({ backlog: b.backlog, checkpoints: b.checkpoints.map((c) => ({ signature: c.signature, text: c.text })), count, first: b.first });
  return Buffer.concat([Buffer.from(`${header}\n`, 'utf8'), encodeLines(b.texts)]);
}

/** Each text and a newline, as UTF-8. */
export function encodeLines(texts: readonly string[]): Buffer {
  for (const t of texts) if (t.includes('\n')) throw new BatchFormatError('a record text holds a newline (not canonical JSON)');
  return texts.length === 0 ? Buffer.alloc(0) : Buffer.from(`${texts.join('\n')}\n`, 'utf8');
}

/**
 * Decodes a body; every bound is checked before records are handed on (maxRecords, maxCheckpoints,
 * header size). The records' own checks (seq, node, chain) are read-batch.ts's and CentreDb's.
 *
 * Besides each record's text, the batch carries `lines`: the body itself and where each record's
 * line starts in it. The leaf hash is taken over the line's bytes (read-batch.ts) and a segment stores
 * them (segments.ts segmentTexts) without an encode or a copy per record (issue 12 target: >= 100,000
 * records/s at the centre; re-encoding each text cost ~3 us per record and its garbage).
 */
export function decodeBatch(body: Buffer, bounds: { maxRecords: number; maxCheckpoints: number }): ShipBatch {
  // An all-ASCII body (the usual case) is UTF-8 already: only a body with other bytes is checked byte by byte.
  const ascii = isAscii(body);
  if (!ascii && !isUtf8(body)) throw new BatchFormatError('the body is not UTF-8');
  const s = body.toString('utf8');
  const eol = s.indexOf('\n');
  if (eol < 0 || eol > MAX_HEADER_CHARS) throw new BatchFormatError(`the body does not start with a header line of at most ${MAX_HEADER_CHARS} characters`);
  let h: { backlog?: unknown; checkpoints?: unknown; count?: unknown; first?: unknown };
  try { h = JSON.parse(s.slice(0, eol)) as typeof h; } catch { throw new BatchFormatError('the header line is not JSON'); }
  if (h === null || typeof h !== 'object') throw new BatchFormatError('the header line is not an object');
  const { backlog, checkpoints, count, first } = h;
  if (!Number.isSafeInteger(first) || (first as number) < 0) throw new BatchFormatError('header: first is not a seq');
  if (!Number.isSafeInteger(count) || (count as number) < 0 || (count as number) > bounds.maxRecords) throw new BatchFormatError(`header: count is not 0..${bounds.maxRecords}`);
  if (!Number.isSafeInteger(backlog) || (backlog as number) < 0) throw new BatchFormatError('header: backlog is not a count');
  if (!Array.isArray(checkpoints) || checkpoints.length > bounds.maxCheckpoints) throw new BatchFormatError(`header: checkpoints is not a list of at most ${bounds.maxCheckpoints}`);
  // All ASCII (string and byte offsets agree): slice the string; otherwise decode each line from its bytes.
  const records: { seq: number; text: string }[] = new Array(count as number);
  const starts = new Uint32Array((count as number) + 1);
  let at = ascii ? eol + 1 : Buffer.byteLength(s.slice(0, eol + 1), 'utf8');
  for (let i = 0; i < (count as number); i++) {
    const end = body.indexOf(10, at);
    if (end < 0) throw new BatchFormatError(`the body holds ${i} records, its header says ${count as number}`);
    records[i] = { seq: (first as number) + i, text: ascii ? s.slice(at, end) : body.toString('utf8', at, end) };
    starts[i] = at;
    at = end + 1;
  }
  if (at !== body.length) throw new BatchFormatError(`the body holds more than the ${count as number} records its header says`);
  starts[count as number] = at;
  return { records, lines: { bytes: body, starts }, checkpoints: checkpoints as ShippedCheckpoint[], backlog: backlog as number };
}

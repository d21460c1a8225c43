import type { ShipBatch, ShippedCheckpoint } from './centre-db.ts';

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

export function encodeBatch(b: { first: number; texts: readonly string[]; checkpoints: readonly ShippedCheckpoint[]; backlog: number }): Buffer {
  for (const t of b.texts) if (t.includes('\n')) throw new BatchFormatError('a record text holds a newline (not canonical JSON)');
  const header = JSON.stringify({ backlog: b.backlog, checkpoints: b.checkpoints.map((c) => ({ signature: c.signature, text: c.text })), count: b.texts.length, first: b.first });
  return Buffer.from(b.texts.length === 0 ? `${header}\n` : `${header}\n${b.texts.join('\n')}\n`, 'utf8');
}

/**
 * Decodes a body; every bound is checked before records are handed on (maxRecords, maxCheckpoints,
 * header size). The records' own checks (seq, node, chain) are the ingest's.
 */
export function decodeBatch(body: Buffer, bounds: { maxRecords: number; maxCheckpoints: number }): ShipBatch {
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
  const records: { seq: number; text: string }[] = new Array(count as number);
  let at = eol + 1;
  for (let i = 0; i < (count as number); i++) {
    const end = s.indexOf('\n', at);
    if (end < 0) throw new BatchFormatError(`the body holds ${i} records, its header says ${count as number}`);
    records[i] = { seq: (first as number) + i, text: s.slice(at, end) };
    at = end + 1;
  }
  if (at !== s.length) throw new BatchFormatError(`the body holds more than the ${count as number} records its header says`);
  return { records, checkpoints: checkpoints as ShippedCheckpoint[], backlog: backlog as number };
}

import { formatIp, isCanonicalIPv4, parseIp } from '../domain/ip-address.ts';
import { parseTimestamp, TimestampError } from './timestamp.ts';

/**
 * One row of a partner's list (issue 14 §1), validated: what another agency or a seized server's log
 * says an address did. Never evidence of ours: it is kept apart, with its provenance.
 */
export interface SourceRow {
  /** 1-based line of the file the row starts on. */
  readonly line: number;
  /** THE one spelling (domain/ip-address.ts). */
  readonly ip: string;
  /** The port the partner saw (RFC 6302: needed to tell CGNAT subscribers apart); null when not given. */
  readonly port: number | null;
  /** UTC ms. */
  readonly at: number;
  /** The timestamp as the file wrote it, and its zone field: kept so the conversion can be checked. */
  readonly timestampText: string;
  readonly timezone: string | null;
  readonly action: string;
  /** Lower-case hex (MD5, SHA-1/BTIH or SHA-256), or null. */
  readonly fileHash: string | null;
  readonly fileName: string | null;
  /** The partner's own reference for the row (their case or log line id). */
  readonly reference: string;
  /** 40 hex digits (a BitTorrent peer id) when the partner saw one, else null. */
  readonly peerId: string | null;
}

/** Every field a file may have; unknown fields are refused (a misspelt "timezone" must not be ignored). */
export const SOURCE_FIELDS = ['ip', 'port', 'timestamp', 'timezone', 'action', 'file_hash', 'file_name', 'reference', 'peer_id'] as const;
export type SourceField = (typeof SOURCE_FIELDS)[number];
export const REQUIRED_FIELDS: readonly SourceField[] = ['ip', 'timestamp', 'action', 'reference'];

const MAX_TEXT = 1024;
const PORT = /^\d{1,5}$/;

export class RowError extends Error {
  override name = 'RowError';
}

/** A field's value as the reader got it: text (CSV) or a JSON value. Absent and empty mean "not given". */
export type RawValue = string | number | boolean | null | undefined | object;

function text(field: string, v: RawValue, required: boolean): string | null {
  if (v === undefined || v === null || v === '') {
    if (required) throw new RowError(`${field} is missing`);
    return null;
  }
  if (typeof v !== 'string') throw new RowError(`${field} must be text, got ${JSON.stringify(v)}`);
  if (v.length > MAX_TEXT) throw new RowError(`${field} is longer than ${MAX_TEXT} characters`);
  if (v.trim() !== v) throw new RowError(`${field} has white space around it`);
  return v;
}

function port(v: RawValue): number | null {
  if (v === undefined || v === null || v === '') return null;
  const n = typeof v === 'number' ? v : typeof v === 'string' && PORT.test(v) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new RowError(`port must be a whole number 1..65535, got ${JSON.stringify(v)}`);
  return n;
}

/** THE one spelling of an address that is not already canonical IPv4 text. */
function ipOf(ipText: string): string {
  const parsed = parseIp(ipText);
  if (parsed === null) throw new RowError(`ip ${JSON.stringify(ipText)} is not an IP address`);
  if (parsed.zone !== undefined) throw new RowError(`ip ${JSON.stringify(ipText)} has a zone: a link-local address names no subscriber`);
  return formatIp(parsed);
}

/**
 * `t` in lower case when it is hex digits only (either case), else null. A loop over character codes
 * rather than toLowerCase and a pattern: half the rows of a list carry a hash (issue 14: >= 200,000 rows/s).
 */
function hexLower(t: string): string | null {
  let upper = false;
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if ((c >= 48 && c <= 57) || (c >= 97 && c <= 102)) continue;
    if (c >= 65 && c <= 70) { upper = true; continue; }
    return null;
  }
  return upper ? t.toLowerCase() : t;
}

/** Where each field is in the values sourceRow takes: SOURCE_FIELDS' order. */
const F = { ip: 0, port: 1, timestamp: 2, timezone: 3, action: 4, file_hash: 5, file_name: 6, reference: 7, peer_id: 8 } as const satisfies Record<SourceField, number>;

/**
 * Validates one row: its values in SOURCE_FIELDS' order (`values[i]` is SOURCE_FIELDS[i]'s; undefined
 * when the file lacks the field). Throws RowError naming the field.
 */
export function sourceRow(line: number, values: ArrayLike<RawValue>): SourceRow {
  const get = (f: SourceField): RawValue => values[F[f]];
  const ipText = text('ip', get('ip'), true)!;
  const ip = isCanonicalIPv4(ipText) ? ipText : ipOf(ipText);
  const timestampText = text('timestamp', get('timestamp'), true)!;
  const timezone = text('timezone', get('timezone'), false);
  let at: number;
  try {
    at = parseTimestamp(timestampText, timezone ?? undefined);
  } catch (e) {
    if (e instanceof TimestampError) throw new RowError(e.message);
    throw e;
  }
  const fileHashText = text('file_hash', get('file_hash'), false);
  const fileHash = fileHashText === null ? null : fileHashText.length === 32 || fileHashText.length === 40 || fileHashText.length === 64 ? hexLower(fileHashText) : null;
  if (fileHashText !== null && fileHash === null) throw new RowError(`file_hash ${JSON.stringify(fileHashText)} is not 32, 40 or 64 hex digits`);
  const fileName = text('file_name', get('file_name'), false);
  if (fileHash === null && fileName === null) throw new RowError('file_hash and file_name are both missing: give one or both');
  const peerText = text('peer_id', get('peer_id'), false);
  const peerId = peerText === null ? null : peerText.length === 40 ? hexLower(peerText) : null;
  if (peerText !== null && peerId === null) throw new RowError(`peer_id ${JSON.stringify(peerText)} is not 40 hex digits`);
  return {
    line, ip, port: port(get('port')), at, timestampText, timezone,
    action: text('action', get('action'), true)!, fileHash, fileName, reference: text('reference', get('reference'), true)!, peerId,
  };
}

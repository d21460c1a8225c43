import { offsetAt, UnknownZoneError, wallMs, zoneOffsets } from './zone-offset.ts';

/**
 * A partner's timestamp, read without guessing (issue 14 §1): the instant is in UTC ms, and where
 * it came from is exact. Accepted:
 *
 * - ISO 8601 / RFC 3339 (years 0001-9999) with its offset: `2025-03-01T12:00:00Z`, `2025-03-01 12:00:00.250+01:00`;
 * - the same without an offset plus an IANA time zone name (`Europe/Oslo`) in the row's `timezone`
 *   field: the wall-clock time is converted with that zone's rules (the tz database Node ships);
 * - both: the offset must be the one the zone had at that instant, else the row is refused.
 *
 * Refused: an unknown zone name; a wall-clock time the zone skipped (spring forward) or had twice
 * (autumn back: the offset tells which, so a partner must give it); a date that does not exist
 * (2025-02-30); anything else (epoch numbers, month names). RFC 6302: matching a shared IPv4 address
 * needs an exact time, and a silently wrong hour would match the wrong subscriber.
 */

/** The accepted form (ISO 8601 / RFC 3339 profile); scanIso reads it. */
export const ISO = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})?$/;
const HOUR = 3_600_000;

export class TimestampError extends Error {
  override name = 'TimestampError';
}

const NOT_ISO = ' is not ISO 8601 (YYYY-MM-DDTHH:MM:SS[.fff] with Z or ±HH:MM, or without them and a timezone)';

/** Two ASCII digits at i, or -1. */
function two(t: string, i: number): number {
  const a = t.charCodeAt(i) - 48, b = t.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/**
 * The fields of ISO, read by position (character codes: no match array, no substrings; a 10-million-row
 * list reads 10 million timestamps, issue 14 target >= 200,000 rows/s). Accepts exactly what ISO
 * matches (test/unit/sources/timestamp.test.ts compares them). Returns false when it does not match;
 * `fields` gets y, mo, d, h, mi, s, ms (first three fraction digits, truncated), and the offset's
 * index in the text (-1 when none).
 */
function scanIso(t: string, fields: Int32Array): boolean {
  const n = t.length;
  if (n < 19) return false;
  const y1 = two(t, 0), y2 = two(t, 2), mo = two(t, 5), d = two(t, 8), h = two(t, 11), mi = two(t, 14), s = two(t, 17);
  if (y1 < 0 || y2 < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || s < 0) return false;
  const sep = t.charCodeAt(10);
  if (t.charCodeAt(4) !== 45 || t.charCodeAt(7) !== 45 || (sep !== 84 && sep !== 32) || t.charCodeAt(13) !== 58 || t.charCodeAt(16) !== 58) return false;
  let i = 19, ms = 0;
  if (i < n && t.charCodeAt(i) === 46) {
    let digits = 0;
    for (i++; i < n; i++, digits++) {
      const c = t.charCodeAt(i) - 48;
      if (c < 0 || c > 9) break;
      if (digits < 3) ms = ms * 10 + c;
    }
    if (digits < 1 || digits > 9) return false;
    for (let k = digits; k < 3; k++) ms *= 10;
  }
  let offsetAt = -1;
  if (i < n) {
    const c = t.charCodeAt(i);
    if (c === 90) { if (i + 1 !== n) return false; }
    else if (c === 43 || c === 45) { if (i + 6 !== n || two(t, i + 1) < 0 || t.charCodeAt(i + 3) !== 58 || two(t, i + 4) < 0) return false; }
    else return false;
    offsetAt = i;
  }
  fields[0] = y1 * 100 + y2; fields[1] = mo; fields[2] = d; fields[3] = h; fields[4] = mi; fields[5] = s; fields[6] = ms; fields[7] = offsetAt;
  return true;
}

const scanned = new Int32Array(8);

/** Instant (UTC ms) of `text`, in `zone` when the text has no offset. Throws TimestampError with a message for the row. */
export function parseTimestamp(text: string, zone: string | undefined): number {
  const f = scanned;
  if (!scanIso(text, f)) throw new TimestampError(`timestamp ${JSON.stringify(text)}${NOT_ISO}`);
  const y = f[0]!, mo = f[1]!, d = f[2]!, h = f[3]!, mi = f[4]!, s = f[5]!, ms = f[6]!;
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo) || h > 23 || mi > 59 || s > 59) throw new TimestampError(`timestamp ${JSON.stringify(text)} is not a real date and time`);
  const wall = wallMs(y, mo, d, h, mi, s, ms);
  const offsetText = f[7]! < 0 ? undefined : text.slice(f[7]);
  const offset = offsetText === undefined ? undefined : offsetText === 'Z' ? 0 : parseOffset(offsetText);
  if (offset !== undefined && Math.abs(offset) > 18 * HOUR) throw new TimestampError(`timestamp ${JSON.stringify(text)}: offset beyond ±18:00`);
  if (zone === undefined || zone === '') {
    if (offset === undefined) throw new TimestampError(`timestamp ${JSON.stringify(text)} has no offset and the row names no timezone: the instant is unknown`);
    return wall - offset;
  }
  try {
    if (offset !== undefined) {
      const at = wall - offset;
      const actual = offsetAt(zone, at);
      if (actual !== offset) throw new TimestampError(`timestamp ${JSON.stringify(text)}: offset ${offsetText} is not ${zone}'s offset at that time (${formatOffset(actual)})`);
      return at;
    }
    const zoned = zoneOffsets(zone, wall);
    if (zoned.length === 0) throw new TimestampError(`timestamp ${JSON.stringify(text)} does not exist in ${zone} (the clocks skipped it): give the offset`);
    if (zoned.length > 1) throw new TimestampError(`timestamp ${JSON.stringify(text)} happened twice in ${zone} (${zoned.map(formatOffset).join(' and ')}): give the offset`);
    return wall - zoned[0]!;
  } catch (e) {
    if (e instanceof UnknownZoneError) throw new TimestampError(e.message);
    throw e;
  }
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysIn(y: number, m: number): number {
  if (m !== 2) return MONTH_DAYS[m - 1]!;
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
}

function parseOffset(t: string): number {
  const sign = t[0] === '-' ? -1 : 1;
  const h = Number(t.slice(1, 3));
  const mi = Number(t.slice(4, 6));
  if (mi > 59) throw new TimestampError(`offset ${t}: minutes beyond 59`);
  return sign * (h * HOUR + mi * 60_000);
}

function formatOffset(ms: number): string {
  const a = Math.abs(ms) / 60_000;
  return `${ms < 0 ? '-' : '+'}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}

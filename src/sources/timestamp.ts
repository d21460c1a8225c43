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

const ISO = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})?$/;
const HOUR = 3_600_000;

export class TimestampError extends Error {
  override name = 'TimestampError';
}

/** Instant (UTC ms) of `text`, in `zone` when the text has no offset. Throws TimestampError with a message for the row. */
export function parseTimestamp(text: string, zone: string | undefined): number {
  const m = ISO.exec(text);
  if (m === null) throw new TimestampError(`timestamp ${JSON.stringify(text)} is not ISO 8601 (YYYY-MM-DDTHH:MM:SS[.fff] with Z or ±HH:MM, or without them and a timezone)`);
  const y = Number(m[1]), mo = Number(m[2]), d = Number(m[3]), h = Number(m[4]), mi = Number(m[5]), s = Number(m[6]);
  // Milliseconds: the first three digits of the fraction (truncated, not rounded).
  const ms = m[7] === undefined ? 0 : Number(`${m[7]}00`.slice(0, 3));
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo) || h > 23 || mi > 59 || s > 59) throw new TimestampError(`timestamp ${JSON.stringify(text)} is not a real date and time`);
  const wall = wallMs(y, mo, d, h, mi, s, ms);
  const offsetText = m[8];
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

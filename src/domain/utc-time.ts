import { InputError } from './errors.ts';

/**
 * The one parser for times an operator or analyst types (issue 15, item 3). Evidence times are UTC,
 * so a time is accepted only when its meaning does not depend on the machine's time zone:
 *   2026-12-06                      a date: 00:00:00 UTC that day
 *   2026-12-06T02:12:40Z            a UTC time (seconds and up to 3 fraction digits optional)
 *   2026-12-06T03:12:40+01:00       a time with its UTC offset (RFC 3339)
 * A date-time without `Z` or an offset, or any other spelling (06/12/2026, a bare number), is
 * refused: JavaScript's Date.parse reads the first in local time and the second US-style.
 */
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?([Zz]|[+-]\d{2}:\d{2})$/;
const LOCAL_DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;

export const UTC_TIME_HELP = 'ISO 8601 with Z or an offset (2026-12-06T02:12:40Z, 2026-12-06T03:12:40+01:00), or a date (UTC midnight)';

/** UTC ms for `text`, or an InputError naming `what` (e.g. "--from") and the accepted forms. */
export function parseUtcTime(text: string, what: string): number {
  const bad = (why: string) => new InputError(`${what}: ${why}: ${JSON.stringify(text)} (expected ${UTC_TIME_HELP})`);
  let m = DATE.exec(text);
  if (m) return checked(Number(m[1]), Number(m[2]), Number(m[3]), 0, 0, 0, 0, 0, bad);
  m = DATE_TIME.exec(text);
  if (!m) throw bad(LOCAL_DATE_TIME.test(text) ? 'a time without Z or a UTC offset would depend on the machine\'s time zone' : 'not an ISO 8601 time');
  const offset = m[8]!.toUpperCase() === 'Z' ? 0 : offsetMinutes(m[8]!, bad);
  const ms = m[7] === undefined ? 0 : Number(m[7].padEnd(3, '0'));
  return checked(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0), ms, offset, bad);
}

function offsetMinutes(s: string, bad: (why: string) => InputError): number {
  const h = Number(s.slice(1, 3));
  const min = Number(s.slice(4, 6));
  if (h > 23 || min > 59) throw bad('UTC offset out of range');
  return (s[0] === '-' ? -1 : 1) * (h * 60 + min);
}

function checked(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number, offsetMin: number, bad: (why: string) => InputError): number {
  const t = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  const back = new Date(t);
  // Date.UTC rolls 2026-02-31 over to March 3rd and 24:00 to the next day: refuse instead.
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || back.getUTCHours() !== h || back.getUTCMinutes() !== mi || back.getUTCSeconds() !== s) {
    throw bad('no such date or time');
  }
  return t - offsetMin * 60_000;
}

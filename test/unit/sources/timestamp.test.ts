import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTimestamp, TimestampError } from '../../../src/sources/timestamp.ts';

const U = (s: string) => Date.parse(s);

test('timestamps with an offset, Z or a zone give the same instant', () => {
  const t = U('2025-03-01T12:00:30Z');
  assert.equal(parseTimestamp('2025-03-01T12:00:30Z', undefined), t);
  assert.equal(parseTimestamp('2025-03-01T13:00:30+01:00', undefined), t);
  assert.equal(parseTimestamp('2025-03-01 07:00:30-05:00', undefined), t);
  assert.equal(parseTimestamp('2025-03-01T13:00:30', 'Europe/Oslo'), t);            // CET, +01:00 in winter
  assert.equal(parseTimestamp('2025-07-01T14:00:00', 'Europe/Oslo'), U('2025-07-01T12:00:00Z')); // CEST, +02:00
  assert.equal(parseTimestamp('2025-03-01T21:00:30', 'Asia/Tokyo'), t);
  assert.equal(parseTimestamp('2025-03-01T12:00:30', 'UTC'), t);
  assert.equal(parseTimestamp('2025-03-01T13:00:30+01:00', 'Europe/Oslo'), t);      // both, and they agree
  assert.equal(parseTimestamp('2025-03-01T12:00:30.250Z', undefined), t + 250);
  assert.equal(parseTimestamp('2025-03-01T12:00:30.123456789Z', undefined), t + 123);
});

test('an unknown zone, a missing offset, a mismatching offset, a skipped or doubled hour are refused', () => {
  assert.throws(() => parseTimestamp('2025-03-01T12:00:30', 'Europe/Olso'), /unknown time zone "Europe\/Olso"/);
  assert.throws(() => parseTimestamp('2025-03-01T12:00:30', undefined), /no offset and the row names no timezone/);
  assert.throws(() => parseTimestamp('2025-03-01T12:00:30+02:00', 'Europe/Oslo'), /not Europe\/Oslo's offset at that time \(\+01:00\)/);
  // Norway: clocks went 02:00 -> 03:00 on 30 March 2025 and 03:00 -> 02:00 on 26 October 2025.
  assert.throws(() => parseTimestamp('2025-03-30T02:30:00', 'Europe/Oslo'), /does not exist in Europe\/Oslo/);
  assert.throws(() => parseTimestamp('2025-10-26T02:30:00', 'Europe/Oslo'), /happened twice in Europe\/Oslo \(\+01:00 and \+02:00\)/);
  // The offset says which of the two.
  assert.equal(parseTimestamp('2025-10-26T02:30:00+02:00', 'Europe/Oslo'), U('2025-10-26T00:30:00Z'));
  assert.equal(parseTimestamp('2025-10-26T02:30:00+01:00', 'Europe/Oslo'), U('2025-10-26T01:30:00Z'));
  for (const bad of ['2025-02-30T12:00:00Z', '2025-13-01T12:00:00Z', '2025-03-01T24:00:00Z', '1740830400', '01/03/2025 12:00', '2025-03-01T12:00Z', '2025-03-01T12:00:00+1:00']) {
    assert.throws(() => parseTimestamp(bad, undefined), TimestampError, bad);
  }
});

test('years 0001-0099 are those years, not 1901-1999 (Date.UTC reads 0-99 as 19xx); year 0000 is refused', () => {
  assert.equal(parseTimestamp('0099-01-01T00:00:00Z', undefined), U('0099-01-01T00:00:00Z'));
  assert.equal(parseTimestamp('0001-03-01T12:00:00.5+01:00', undefined), U('0001-03-01T11:00:00.500Z'));
  // Oslo's local mean time then was +00:53:28 (tz database), so the zone's rule applies to such a year too.
  assert.equal(parseTimestamp('0099-01-01T00:53:28', 'Europe/Oslo'), U('0099-01-01T00:00:00Z'));
  assert.throws(() => parseTimestamp('0000-01-01T00:00:00Z', undefined), /not a real date and time/);
});

test('a transition inside a UTC hour: each side of it gets its own offset, whichever is asked first (the per-hour cache)', () => {
  // Lord Howe Island moves from +10:30 to +11:00 at 02:00 local standard time on 5 October 2025 = 15:30 UTC on the 4th.
  for (const order of [[0, 1], [1, 0]]) {
    const cases = [
      ['2025-10-05T01:45:00+10:30', U('2025-10-04T15:15:00Z')],
      ['2025-10-05T02:45:00+11:00', U('2025-10-04T15:45:00Z')],
    ] as const;
    for (const i of order) assert.equal(parseTimestamp(cases[i]![0], 'Australia/Lord_Howe'), cases[i]![1]);
  }
  assert.throws(() => parseTimestamp('2025-10-05T02:45:00+10:30', 'Australia/Lord_Howe'), /not Australia\/Lord_Howe's offset at that time \(\+11:00\)/);
  assert.throws(() => parseTimestamp('2025-10-05T02:15:00', 'Australia/Lord_Howe'), /does not exist in Australia\/Lord_Howe/);
  assert.equal(parseTimestamp('2025-10-05T01:59:59', 'Australia/Lord_Howe'), U('2025-10-04T15:29:59Z'));
  assert.equal(parseTimestamp('2025-10-05T02:30:00', 'Australia/Lord_Howe'), U('2025-10-04T15:30:00Z'));
});

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

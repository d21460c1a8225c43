import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ISO, parseTimestamp, TimestampError } from '../../../src/sources/timestamp.ts';

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

test('the timestamp scanner accepts exactly what the ISO pattern matches, and reads the same fields (every single edit of five timestamps, then 20,000 random edits)', () => {
  let seed = 14;
  const rand = (n: number) => { seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31; return seed % n; };
  const bases = ['2025-03-01T12:00:30Z', '2025-03-01 12:00:30.250+01:00', '1999-12-31T23:59:59.123456789-05:00', '2024-02-29T00:00:00', '2025-10-26 02:30:00.5'];
  const alphabet = '0123456789-: TZ+.tz\u0660';
  const edit = (t: string, i: number, c: string, op: number) => (op === 0 ? t.slice(0, i) + c + t.slice(i + 1) : op === 1 ? t.slice(0, i) + c + t.slice(i) : t.slice(0, i) + t.slice(i + 1));
  const cases: string[] = [];
  for (const b of bases) for (let i = 0; i <= b.length; i++) for (const c of alphabet) for (let op = 0; op < 3; op++) cases.push(edit(b, i, c, op));
  for (let k = 0; k < 20_000; k++) {
    let t = bases[rand(bases.length)]!;
    for (let m = 2 + rand(3); m > 0; m--) t = edit(t, rand(t.length + 1), alphabet[rand(alphabet.length)]!, rand(3));
    cases.push(t);
  }
  const notIso = /is not ISO 8601/;
  let matched = 0;
  for (const t of cases) {
    const m = ISO.exec(t);
    let got: number | Error;
    try { got = parseTimestamp(t, 'UTC'); } catch (e) { got = e as Error; }
    if (m === null) { assert.ok(got instanceof TimestampError && notIso.test(got.message), t); continue; }
    assert.ok(!(got instanceof Error && notIso.test(got.message)), t);
    if (got instanceof Error) continue; // a date that does not exist, an offset UTC did not have
    matched++;
    const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number, number];
    const ms = m[7] === undefined ? 0 : Math.floor(Number(`0.${m[7]}`) * 1000);
    const wall = new Date(0).setUTCFullYear(y, mo - 1, d) + ((h * 60 + mi) * 60 + s) * 1000 + ms;
    assert.equal(got, wall, t);
  }
  assert.ok(matched > 300, `${matched} valid timestamps among the edits`);
});

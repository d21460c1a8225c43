import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkTimeZone, formatTime } from '../../../src/domain/display-time.ts';
import { parseUtcTime } from '../../../src/domain/utc-time.ts';

// Issue 15 item 3: output times are UTC with Z, with an optional --tz for display.
describe('times shown in a time zone', () => {
  const t = Date.UTC(2026, 11, 6, 2, 12, 40, 5); // winter: Oslo is UTC+1
  const summer = Date.UTC(2026, 6, 1, 22, 30, 0, 0); // summer: Oslo is UTC+2, next day

  it('UTC (no zone) is the ISO form with Z', () => {
    assert.equal(formatTime(t, ''), '2026-12-06T02:12:40.005Z');
    assert.equal(checkTimeZone(''), '');
    assert.equal(checkTimeZone('UTC'), '');
  });

  it('a zone gives local wall time with its offset, across DST and date lines', () => {
    assert.equal(formatTime(t, 'Europe/Oslo'), '2026-12-06T03:12:40.005+01:00');
    assert.equal(formatTime(summer, 'Europe/Oslo'), '2026-07-02T00:30:00.000+02:00');
    assert.equal(formatTime(t, 'America/St_Johns'), '2026-12-05T22:42:40.005-03:30');
    assert.equal(formatTime(t, 'Africa/Abidjan'), '2026-12-06T02:12:40.005+00:00');
  });

  it('what is shown names the same instant: it parses back to the stored time', () => {
    for (const zone of ['Europe/Oslo', 'Asia/Kolkata', 'America/St_Johns', 'Pacific/Kiritimati']) {
      for (const ms of [t, summer, Date.UTC(2026, 2, 29, 1, 0, 0, 0), Date.UTC(2026, 9, 25, 0, 59, 59, 999)]) {
        assert.equal(parseUtcTime(formatTime(ms, zone), '--from'), ms, `${zone} ${ms}`);
      }
    }
  });

  it('an unknown zone is refused with a clear message', () => {
    assert.throws(() => checkTimeZone('Europe/Atlantis'), /--tz: unknown time zone "Europe\/Atlantis" \(expected an IANA name/);
    assert.throws(() => checkTimeZone('Oslo time'), /unknown time zone/);
  });
});

import { InputError } from './errors.ts';

/**
 * How a time is shown to a person (issue 15 item 3). Evidence, CSV and JSON are always UTC with `Z`.
 * A table may show times in another IANA time zone (`--tz Europe/Oslo`), and then every time carries
 * its UTC offset, so what is shown still names one instant: 2026-12-06T03:12:40.000+01:00.
 */

/** The zone name if the runtime's time zone database knows it; '' and 'UTC' mean UTC with Z. */
export function checkTimeZone(name: string, what = '--tz'): string {
  if (name === '' || name === 'UTC' || name === 'Z') return '';
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    throw new InputError(`${what}: unknown time zone ${JSON.stringify(name)} (expected an IANA name such as Europe/Oslo or UTC)`);
  }
}

const formats = new Map<string, Intl.DateTimeFormat>();

function formatFor(zone: string): Intl.DateTimeFormat {
  let f = formats.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit', second: '2-digit', fractionalSecondDigits: 3, timeZoneName: 'longOffset',
    });
    formats.set(zone, f);
  }
  return f;
}

/** ISO 8601 in `zone` with its offset ("+01:00"), or UTC with Z when zone is ''. */
export function formatTime(ms: number, zone: string): string {
  if (zone === '') return new Date(ms).toISOString();
  const p: Record<string, string> = {};
  for (const part of formatFor(zone).formatToParts(new Date(ms))) p[part.type] = part.value;
  // longOffset is "GMT+01:00", or "GMT" for a zero offset.
  const offset = p.timeZoneName === 'GMT' ? '+00:00' : p.timeZoneName!.slice(3);
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}.${p.fractionalSecond}${offset}`;
}

/** The column label for times shown in `zone`: "UTC", or the zone's name. */
export const zoneLabel = (zone: string) => (zone === '' ? 'UTC' : zone);

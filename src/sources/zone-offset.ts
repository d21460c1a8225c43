/**
 * A time zone's offset from UTC at an instant, from the tz database Node ships (Intl), for the
 * timestamps of partner lists (timestamp.ts).
 *
 * Intl.DateTimeFormat.formatToParts costs ~5 µs; a 10-million-row list with zone names would spend
 * most of its import there (issue 14: >= 200,000 rows/s with validation). A list's rows fall in a few
 * thousand distinct hours, so the offset is cached per zone and UTC hour, but only for an hour whose
 * first and last second have the same offset: a transition inside the hour (tz data has them at any
 * minute: Lord Howe's 30-minute shift, historical local mean times) is never cached and each instant in
 * it is computed exactly. This assumes no zone changes its offset twice within one hour; the tz
 * database has no such pair (zoneOffsets below already assumes more: none within a day).
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Entries of the hour cache before it is emptied: bounded whatever a hostile file holds (~8 MB). */
const MAX_CACHED_HOURS = 100_000;
/** Zones with a formatter kept: a partner file names a handful; the bound keeps a hostile file from growing the map. */
const MAX_ZONES = 64;

export class UnknownZoneError extends Error {
  override name = 'UnknownZoneError';
  constructor(zone: string) {
    super(`unknown time zone ${JSON.stringify(zone)} (an IANA name such as Europe/Oslo or UTC)`);
  }
}

/**
 * `hours`: UTC hour number -> offset ms, for the hours without a transition (years 1-9999 are hours
 * -17.3 to 70.4 million: small integers, which a Map hashes fast); undefined for a zone beyond MAX_ZONES (never cached).
 */
interface Zone { readonly format: Intl.DateTimeFormat; readonly hours: Map<number, number> | undefined }

const zones = new Map<string, Zone>();
/** Hours cached over all zones. */
let cachedHours = 0;

function zoneOf(name: string): Zone {
  let z = zones.get(name);
  if (z === undefined) {
    let format: Intl.DateTimeFormat;
    try {
      format = new Intl.DateTimeFormat('en-US', { timeZone: name, hourCycle: 'h23', era: 'short', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    } catch {
      throw new UnknownZoneError(name);
    }
    const kept = zones.size < MAX_ZONES;
    z = { format, hours: kept ? new Map() : undefined };
    if (kept) zones.set(name, z);
  }
  return z;
}

/**
 * Days from 1970-01-01 to the proleptic Gregorian date y-m-d (m 1-12), for any year: Date.UTC reads
 * years 0-99 as 1900-1999 (`Date.UTC(99, 0, 1)` is 1999), which would move such a timestamp by 1900 years.
 * The civil-from-days algorithm of H. Hinnant, "chrono-Compatible Low-Level Date Algorithms".
 */
export function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** UTC ms of a wall-clock date and time (no offset), exact for every year. */
export function wallMs(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number): number {
  return daysFromCivil(y, mo, d) * DAY + h * HOUR + mi * 60_000 + s * 1000 + ms;
}

/** The offset, computed (no cache), at a whole second. */
function computeOffset(z: Zone, second: number): number {
  let y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, bc = false;
  for (const p of z.format.formatToParts(new Date(second))) {
    switch (p.type) {
      case 'year': y = Number(p.value); break;
      case 'month': mo = Number(p.value); break;
      case 'day': d = Number(p.value); break;
      case 'hour': h = Number(p.value); break;
      case 'minute': mi = Number(p.value); break;
      case 'second': s = Number(p.value); break;
      case 'era': bc = p.value === 'BC'; break;
      default:
    }
  }
  // Intl counts years before 1 AD as 1 BC, 2 BC...; ISO 8601 as 0, -1...
  return wallMs(bc ? 1 - y : y, mo, d, h, mi, s, 0) - second;
}

/** The zone's offset from UTC (ms, east positive) at instant `at`. Throws UnknownZoneError. */
export function offsetAt(zone: string, at: number): number {
  const z = zoneOf(zone);
  const hours = z.hours;
  if (hours === undefined) return computeOffset(z, at - (((at % 1000) + 1000) % 1000));
  const hour = Math.floor(at / HOUR);
  const cached = hours.get(hour);
  if (cached !== undefined) return cached;
  const first = computeOffset(z, hour * HOUR);
  const last = computeOffset(z, hour * HOUR + HOUR - 1000);
  if (first !== last) return computeOffset(z, at - (((at % 1000) + 1000) % 1000));
  if (cachedHours >= MAX_CACHED_HOURS) { for (const other of zones.values()) other.hours?.clear(); cachedHours = 0; }
  hours.set(hour, first);
  cachedHours++;
  return first;
}

/**
 * Every offset o with offsetAt(wall - o) = o, ascending: one normally, none in a gap (spring forward),
 * two in an overlap (autumn back). A zone changes its offset at most once within a day either side
 * (tz data: no two transitions < 1 day apart in practice), so the candidates are the offsets a day before and after.
 */
export function zoneOffsets(zone: string, wall: number): number[] {
  const a = offsetAt(zone, wall - DAY);
  const b = offsetAt(zone, wall + DAY);
  const out: number[] = [];
  if (offsetAt(zone, wall - a) === a) out.push(a);
  if (b !== a && offsetAt(zone, wall - b) === b) { if (b < a) out.unshift(b); else out.push(b); }
  return out;
}

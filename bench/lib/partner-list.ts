/**
 * A synthetic partner list for the import benchmark (issue 14 §1): neutral data only (documentation
 * and random addresses, `holiday-video-NNNN.mp4` names, `REF-n` references), every row valid, so the
 * import must accept the whole file. The mix exercises every validation path a real list takes:
 *
 *   ip         90 % IPv4 (85-94.x.x.x), 9 % IPv6 in 2001:db8::/32 (RFC 3849), 1 % non-canonical
 *              spellings (upper case, leading zeros in groups, IPv4-mapped `::ffff:a.b.c.d`)
 *   port       80 % 1024-65535, 20 % empty
 *   timestamp  70 % with an offset (Z, +01:00, +02:00, -05:00, milliseconds on a tenth of them),
 *              30 % without, plus `timezone` (Europe/Oslo, America/New_York, Asia/Tokyo); wall-clock
 *              times within 3 hours of a DST change get the offset instead (a skipped or doubled hour is refused)
 *   file       50 % file_hash (40 hex digits, a tenth upper case) and a file_name, 50 % file_name only
 *   peer_id    10 % (40 hex digits)
 *
 * Rows are written as CSV, NDJSON or one JSON array (one element per line), from the same seed.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { randomInt, seededRandom } from '../../src/lab/prng.ts';

export type ListFormat = 'csv' | 'ndjson' | 'json';
export const LIST_FIELDS = ['ip', 'port', 'timestamp', 'timezone', 'action', 'file_hash', 'file_name', 'reference', 'peer_id'] as const;

const ZONES = ['Europe/Oslo', 'America/New_York', 'Asia/Tokyo'] as const;
const OFFSETS = [['Z', 0], ['+01:00', 1], ['+02:00', 2], ['-05:00', -5]] as const;
const ACTIONS = ['download', 'share', 'announce'] as const;
const HOUR = 3_600_000;
const START = Date.UTC(2025, 0, 1);
const SPAN = 365 * 86_400_000;

/** A zone's offset (ms) at an instant, cached per zone and hour (the generator's own, via Intl). */
function zoneOffset(): (zone: string, at: number) => number {
  const cache = new Map<string, number>();
  const fmts = new Map<string, Intl.DateTimeFormat>();
  return (zone, at) => {
    const key = `${zone}@${Math.floor(at / HOUR)}`;
    let o = cache.get(key);
    if (o === undefined) {
      let f = fmts.get(zone);
      if (f === undefined) { f = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' }); fmts.set(zone, f); }
      const name = f.formatToParts(new Date(Math.floor(at / HOUR) * HOUR)).find((p) => p.type === 'timeZoneName')!.value; // GMT+09:00 or GMT
      const m = /^GMT(?:([+-])(\d{2}):(\d{2}))?$/.exec(name)!;
      o = m[1] === undefined ? 0 : (m[1] === '-' ? -1 : 1) * (Number(m[2]) * HOUR + Number(m[3]) * 60_000);
      cache.set(key, o);
    }
    return o;
  };
}

const hex = (rand: () => number, n: number): string => {
  let s = '';
  for (let i = 0; i < n; i++) s += '0123456789abcdef'[randomInt(rand, 16)];
  return s;
};

type Row = Record<(typeof LIST_FIELDS)[number], string>;

function rowGenerator(seed: number): (n: number) => Row {
  const rand = seededRandom(seed);
  const offsetOf = zoneOffset();
  const wall = (t: number) => new Date(t).toISOString().slice(0, 23);
  return (n) => {
    const x = rand();
    let ip: string;
    const a = randomInt(rand, 256), b = randomInt(rand, 256), c = 1 + randomInt(rand, 254);
    if (x < 0.9) ip = `${85 + randomInt(rand, 10)}.${a}.${b}.${c}`;
    else if (x < 0.99) ip = `2001:db8:${a.toString(16)}:${b.toString(16)}::${c.toString(16)}`;
    else ip = n % 3 === 0 ? `2001:DB8:00${a.toString(16).padStart(2, '0')}:0:0:0:0:${c.toString(16).toUpperCase()}` : n % 3 === 1 ? `::ffff:192.0.2.${c}` : `::FFFF:198.51.100.${c}`;
    const port = rand() < 0.8 ? String(1024 + randomInt(rand, 64512)) : '';
    const at = START + randomInt(rand, SPAN);
    const ms = rand() < 0.1;
    let timestamp: string, timezone = '';
    const zone = ZONES[randomInt(rand, ZONES.length)]!;
    const o = offsetOf(zone, at);
    if (rand() < 0.3 && offsetOf(zone, at - 3 * HOUR) === o && offsetOf(zone, at + 3 * HOUR) === o) {
      timestamp = wall(at + o);
      timezone = zone;
    } else {
      const [z, h] = OFFSETS[randomInt(rand, OFFSETS.length)]!;
      timestamp = wall(at + h * HOUR) + z;
    }
    if (!ms) timestamp = timestamp.slice(0, 19) + timestamp.slice(23);
    timestamp = rand() < 0.5 ? timestamp : timestamp.replace('T', ' ');
    const hash = rand() < 0.5 ? hex(rand, 40) : '';
    return {
      ip, port, timestamp, timezone, action: ACTIONS[randomInt(rand, ACTIONS.length)]!,
      file_hash: n % 10 === 0 ? hash.toUpperCase() : hash, file_name: `holiday-video-${String(n % 10_000).padStart(4, '0')}.mp4`,
      reference: `REF-${n}`, peer_id: rand() < 0.1 ? hex(rand, 40) : '',
    };
  };
}

function csvLine(r: Row): string {
  return `${r.ip},${r.port},${r.timestamp},${r.timezone},${r.action},${r.file_hash},${r.file_name},${r.reference},${r.peer_id}\n`;
}

function jsonObject(r: Row): string {
  const o: Record<string, string | number> = {};
  for (const f of LIST_FIELDS) if (r[f] !== '') o[f] = f === 'port' ? Number(r[f]) : r[f];
  return JSON.stringify(o);
}

/** Writes `rows` rows to `file`; returns its size in bytes. */
export function writePartnerList(file: string, rows: number, format: ListFormat, seed = 14): number {
  const fd = openSync(file, 'w');
  const next = rowGenerator(seed);
  let bytes = 0;
  let buf = '';
  const put = (s: string) => { buf += s; if (buf.length > 1 << 20) { bytes += writeSync(fd, buf); buf = ''; } };
  try {
    if (format === 'csv') put(`${LIST_FIELDS.join(',')}\n`);
    if (format === 'json') put('[\n');
    for (let n = 0; n < rows; n++) {
      const r = next(n);
      if (format === 'csv') put(csvLine(r));
      else put(`${jsonObject(r)}${format === 'json' ? (n + 1 < rows ? ',\n' : '\n') : '\n'}`);
    }
    if (format === 'json') put(']\n');
    bytes += writeSync(fd, buf);
  } finally {
    closeSync(fd);
  }
  return bytes;
}

/**
 * BEP 3 announce and BEP 48 scrape query strings. Parsed by hand from the
 * raw query (see percent.ts for why not URLSearchParams), with the length,
 * parameter count and every value bounded.
 */
import { TrackerCodecError } from './errors.ts';
import { percentDecode, percentEncodeBytes, percentEncodeText } from './percent.ts';
import type { AnnounceEvent, AnnounceRequest } from './types.ts';

/** A real announce is ~300 chars (two fully escaped 20-byte values are 120). */
export const MAX_ANNOUNCE_QUERY_LEN = 2048;
export const MAX_QUERY_PARAMS = 32;
/** Same cap as BEP 15 so one scrape never costs more over HTTP than over UDP. */
export const MAX_HTTP_SCRAPE_HASHES = 74;
export const MAX_SCRAPE_QUERY_LEN = MAX_HTTP_SCRAPE_HASHES * 72 + 256;
/** `key`, `ip` and `trackerid` are short tokens; longer values are rejected. */
export const MAX_TOKEN_LEN = 64;
/** 2^64 - 1: the widest counter any client (or BEP 15) can express. */
const U64_MAX = 0xffffffffffffffffn;
/** True ISO-8859-1 (one char per byte); TextDecoder('latin1') is windows-1252 and would remap 0x80-0x9F. */
const latin1 = { decode: (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1') };

type Pairs = Array<[key: string, value: Uint8Array]>;

function parsePairs(rawQuery: string, maxLen: number): Pairs {
  const q = rawQuery.startsWith('?') ? rawQuery.slice(1) : rawQuery;
  if (q.length > maxLen) throw new TrackerCodecError('oversize-query', `query is ${q.length} chars, limit ${maxLen}`);
  const out: Pairs = [];
  if (q === '') return out;
  for (const part of q.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const rawKey = eq < 0 ? part : part.slice(0, eq);
    const key = latin1.decode(percentDecode(rawKey, 'parameter name'));
    out.push([key, percentDecode(eq < 0 ? '' : part.slice(eq + 1), key)]);
  }
  return out;
}

function single(pairs: Pairs, maxParams: number): Map<string, Uint8Array> {
  if (pairs.length > maxParams) throw new TrackerCodecError('too-many-params', `${pairs.length} parameters, limit ${maxParams}`);
  const m = new Map<string, Uint8Array>();
  for (const [k, v] of pairs) {
    if (m.has(k)) throw new TrackerCodecError('duplicate-param', `duplicate parameter ${k}`);
    m.set(k, v);
  }
  return m;
}

function bytes20(m: Map<string, Uint8Array>, key: string): Uint8Array {
  const v = m.get(key);
  if (v === undefined) throw new TrackerCodecError(`missing-${key}`, `missing ${key}`);
  if (v.length !== 20) throw new TrackerCodecError(`bad-${key}`, `${key} is ${v.length} bytes, expected 20`);
  return v;
}

function unsigned(m: Map<string, Uint8Array>, key: string, max: bigint, required: true): number;
function unsigned(m: Map<string, Uint8Array>, key: string, max: bigint, required: false): number | undefined;
function unsigned(m: Map<string, Uint8Array>, key: string, max: bigint, required: boolean): number | undefined {
  const v = m.get(key);
  if (v === undefined) {
    if (required) throw new TrackerCodecError(`missing-${key}`, `missing ${key}`);
    return undefined;
  }
  const s = latin1.decode(v);
  if (!/^\d{1,20}$/.test(s) || BigInt(s) > max) throw new TrackerCodecError(`bad-${key}`, `${key} is not an integer in 0..${max}`);
  return Number(s);
}

function token(m: Map<string, Uint8Array>, key: string): string | undefined {
  const v = m.get(key);
  if (v === undefined) return undefined;
  if (v.length > MAX_TOKEN_LEN) throw new TrackerCodecError(`bad-${key}`, `${key} longer than ${MAX_TOKEN_LEN} bytes`);
  return latin1.decode(v);
}

/** BEP 3 events; `paused` (BEP 21 partial seeds) and `empty` are regular announces. */
function event(m: Map<string, Uint8Array>): AnnounceEvent {
  const v = m.get('event');
  const s = v === undefined ? '' : latin1.decode(v);
  if (s === '' || s === 'empty' || s === 'paused') return 'none';
  if (s === 'started' || s === 'completed' || s === 'stopped') return s;
  throw new TrackerCodecError('bad-event', 'unknown event');
}

/** Parses the query of `GET /announce?...` (with or without the leading `?`). */
export function parseAnnounceQuery(rawQuery: string): AnnounceRequest {
  const m = single(parsePairs(rawQuery, MAX_ANNOUNCE_QUERY_LEN), MAX_QUERY_PARAMS);
  const compact = m.get('compact');
  const compactText = compact === undefined ? undefined : latin1.decode(compact);
  if (compactText !== undefined && compactText !== '0' && compactText !== '1') throw new TrackerCodecError('bad-compact', 'compact must be 0 or 1');
  const numWant = unsigned(m, 'numwant', 0x7fffffffn, false);
  const key = token(m, 'key'), ip = token(m, 'ip'), trackerId = token(m, 'trackerid');
  return {
    infoHash: bytes20(m, 'info_hash'),
    peerId: bytes20(m, 'peer_id'),
    port: unsigned(m, 'port', 0xffffn, true),
    uploaded: unsigned(m, 'uploaded', U64_MAX, true),
    downloaded: unsigned(m, 'downloaded', U64_MAX, true),
    left: unsigned(m, 'left', U64_MAX, true),
    event: event(m),
    ...(compactText !== undefined && { compact: compactText === '1' }),
    ...(numWant !== undefined && { numWant }),
    ...(key !== undefined && { key }),
    ...(ip !== undefined && { ip }),
    ...(trackerId !== undefined && { trackerId }),
  };
}

/** BEP 48: `info_hash` may repeat; no info_hash means "all torrents", which we refuse. */
export function parseScrapeQuery(rawQuery: string): Uint8Array[] {
  const pairs = parsePairs(rawQuery, MAX_SCRAPE_QUERY_LEN);
  const hashes: Uint8Array[] = [];
  for (const [k, v] of pairs) {
    if (k !== 'info_hash') continue;
    if (v.length !== 20) throw new TrackerCodecError('bad-info_hash', `info_hash is ${v.length} bytes, expected 20`);
    if (hashes.length === MAX_HTTP_SCRAPE_HASHES) throw new TrackerCodecError('too-many-hashes', `more than ${MAX_HTTP_SCRAPE_HASHES} info_hash values`);
    hashes.push(v);
  }
  if (hashes.length === 0) throw new TrackerCodecError('missing-info_hash', 'full scrapes are not supported');
  return hashes;
}

function integer(n: number): string {
  return BigInt(Math.max(0, Math.trunc(n))).toString();
}

/**
 * Appends the announce parameters to a tracker URL. Some announce URLs
 * already carry a query (private-tracker passkeys), so `&` joins in that case;
 * any fragment is dropped since it is never sent.
 */
export function buildAnnounceUrl(base: string, req: AnnounceRequest): string {
  const hash = base.indexOf('#');
  const b = hash < 0 ? base : base.slice(0, hash);
  const q: string[] = [
    `info_hash=${percentEncodeBytes(req.infoHash)}`,
    `peer_id=${percentEncodeBytes(req.peerId)}`,
    `port=${integer(req.port)}`,
    `uploaded=${integer(req.uploaded)}`,
    `downloaded=${integer(req.downloaded)}`,
    `left=${integer(req.left)}`,
  ];
  if (req.event !== 'none') q.push(`event=${req.event}`);
  if (req.compact !== undefined) q.push(`compact=${req.compact ? 1 : 0}`);
  if (req.numWant !== undefined) q.push(`numwant=${integer(req.numWant)}`);
  if (req.key !== undefined) q.push(`key=${percentEncodeText(req.key)}`);
  if (req.ip !== undefined) q.push(`ip=${percentEncodeText(req.ip)}`);
  if (req.ipv6 !== undefined) q.push(`ipv6=${percentEncodeText(req.ipv6)}`);
  if (req.trackerId !== undefined) q.push(`trackerid=${percentEncodeText(req.trackerId)}`);
  const sep = !b.includes('?') ? '?' : b.endsWith('?') || b.endsWith('&') ? '' : '&';
  return `${b}${sep}${q.join('&')}`;
}

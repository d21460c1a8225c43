/**
 * BEP 15 UDP tracker protocol: fixed-layout big-endian packets.
 * Every decoder checks the exact length (or the bounded range where the
 * BEP allows trailing data) and the action code before reading fields.
 */
import { decodeCompactPeers, encodeCompactPeers, type IpFamily } from './compact.ts';
import { TrackerCodecError } from './errors.ts';
import type { AnnounceEvent, PeerAddress, ScrapeStats } from './types.ts';

/** BEP 15: the magic constant in a connect request's connection_id field. */
export const PROTOCOL_ID = 0x41727101980n;
export const ACTION_CONNECT = 0;
export const ACTION_ANNOUNCE = 1;
export const ACTION_SCRAPE = 2;
export const ACTION_ERROR = 3;

/** BEP 15: "up to about 74 torrents can be scraped at once" (one MTU-sized reply). */
export const MAX_SCRAPE_HASHES = 74;
/** connect request: <connection_id=magic 8><action=0 4><transaction_id 4> */
export const CONNECT_REQUEST_LEN = 16;
/** connect response: <action=0 4><transaction_id 4><connection_id 8> */
export const CONNECT_RESPONSE_LEN = 16;
/** announce request: 98 fixed bytes (BEP 15 table), then optional BEP 41 options. */
export const ANNOUNCE_REQUEST_LEN = 98;
/** BEP 41 options (e.g. the URL path, <= 255 bytes per option) are tolerated up to this many bytes, then ignored. */
export const MAX_ANNOUNCE_OPTIONS_LEN = 1024;
/** announce response header: <action 4><transaction_id 4><interval 4><leechers 4><seeders 4> */
export const ANNOUNCE_RESPONSE_HEADER_LEN = 20;
/** Error messages longer than this are truncated (sender) or rejected (receiver). */
export const MAX_ERROR_MESSAGE_LEN = 1024;

const EVENTS: readonly AnnounceEvent[] = ['none', 'completed', 'started', 'stopped'];

export interface UdpAnnounceRequest {
  readonly connectionId: bigint;
  readonly transactionId: number;
  readonly infoHash: Uint8Array;
  readonly peerId: Uint8Array;
  readonly downloaded: bigint;
  readonly left: bigint;
  readonly uploaded: bigint;
  readonly event: AnnounceEvent;
  /** IPv4 the client claims, as u32; 0 means "use the source address". */
  readonly ip: number;
  readonly key: number;
  /** -1 means "tracker default". */
  readonly numWant: number;
  readonly port: number;
}

export interface UdpAnnounceResponse {
  readonly transactionId: number;
  readonly interval: number;
  readonly leechers: number;
  readonly seeders: number;
  readonly peers: readonly PeerAddress[];
}

export interface UdpScrapeRequest {
  readonly connectionId: bigint;
  readonly transactionId: number;
  readonly infoHashes: readonly Uint8Array[];
}

export interface UdpScrapeResponse {
  readonly transactionId: number;
  readonly stats: readonly ScrapeStats[];
}

function fail(reason: string, message: string): never {
  throw new TrackerCodecError(reason, `BEP 15 ${message}`);
}

function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

function expectAction(v: DataView, at: number, action: number, what: string): void {
  const a = v.getUint32(at);
  if (a !== action) fail('bad-action', `${what}: action ${a}, expected ${action}`);
}

function u32(n: number, what: string): number {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError(`${what} must be a u32, got ${n}`);
  return n;
}

function u64(n: bigint, what: string): bigint {
  if (n < 0n || n > 0xffffffffffffffffn) throw new RangeError(`${what} must be a u64, got ${n}`);
  return n;
}

function bytes20(b: Uint8Array, what: string): Uint8Array {
  if (b.length !== 20) throw new RangeError(`${what} must be 20 bytes, got ${b.length}`);
  return b;
}

/** Reads the action and transaction id common to every response (and every request after offset 8). */
export function peekHeader(packet: Uint8Array, offset: 0 | 8): { action: number; transactionId: number } | null {
  if (packet.length < offset + 8) return null;
  const v = view(packet);
  return { action: v.getUint32(offset), transactionId: v.getUint32(offset + 4) };
}

export function encodeConnectRequest(transactionId: number): Uint8Array {
  const out = new Uint8Array(CONNECT_REQUEST_LEN);
  const v = view(out);
  v.setBigUint64(0, PROTOCOL_ID);
  v.setUint32(8, ACTION_CONNECT);
  v.setUint32(12, u32(transactionId, 'transaction id'));
  return out;
}

export function decodeConnectRequest(p: Uint8Array): { transactionId: number } {
  // BEP 15 says "at least 16 bytes"; a connect request has no optional part, so anything else is not one.
  if (p.length !== CONNECT_REQUEST_LEN) fail('bad-length', `connect request is ${p.length} bytes, expected 16`);
  const v = view(p);
  if (v.getBigUint64(0) !== PROTOCOL_ID) fail('bad-magic', 'connect request without the protocol id');
  expectAction(v, 8, ACTION_CONNECT, 'connect request');
  return { transactionId: v.getUint32(12) };
}

export function encodeConnectResponse(transactionId: number, connectionId: bigint): Uint8Array {
  const out = new Uint8Array(CONNECT_RESPONSE_LEN);
  const v = view(out);
  v.setUint32(0, ACTION_CONNECT);
  v.setUint32(4, u32(transactionId, 'transaction id'));
  v.setBigUint64(8, u64(connectionId, 'connection id'));
  return out;
}

export function decodeConnectResponse(p: Uint8Array): { transactionId: number; connectionId: bigint } {
  if (p.length !== CONNECT_RESPONSE_LEN) fail('bad-length', `connect response is ${p.length} bytes, expected 16`);
  const v = view(p);
  expectAction(v, 0, ACTION_CONNECT, 'connect response');
  return { transactionId: v.getUint32(4), connectionId: v.getBigUint64(8) };
}

export function encodeAnnounceRequest(r: UdpAnnounceRequest): Uint8Array {
  const out = new Uint8Array(ANNOUNCE_REQUEST_LEN);
  const v = view(out);
  v.setBigUint64(0, u64(r.connectionId, 'connection id'));
  v.setUint32(8, ACTION_ANNOUNCE);
  v.setUint32(12, u32(r.transactionId, 'transaction id'));
  out.set(bytes20(r.infoHash, 'info hash'), 16);
  out.set(bytes20(r.peerId, 'peer id'), 36);
  v.setBigUint64(56, u64(r.downloaded, 'downloaded'));
  v.setBigUint64(64, u64(r.left, 'left'));
  v.setBigUint64(72, u64(r.uploaded, 'uploaded'));
  v.setUint32(80, EVENTS.indexOf(r.event));
  v.setUint32(84, u32(r.ip, 'ip'));
  v.setUint32(88, u32(r.key, 'key'));
  if (!Number.isInteger(r.numWant) || r.numWant < -1 || r.numWant > 0x7fffffff) throw new RangeError(`num_want out of range: ${r.numWant}`);
  v.setInt32(92, r.numWant);
  if (!Number.isInteger(r.port) || r.port < 0 || r.port > 0xffff) throw new RangeError(`port out of range: ${r.port}`);
  v.setUint16(96, r.port);
  return out;
}

export function decodeAnnounceRequest(p: Uint8Array): UdpAnnounceRequest {
  if (p.length < ANNOUNCE_REQUEST_LEN) fail('truncated', `announce request is ${p.length} bytes, expected 98`);
  if (p.length > ANNOUNCE_REQUEST_LEN + MAX_ANNOUNCE_OPTIONS_LEN) fail('oversize', `announce request is ${p.length} bytes`);
  const v = view(p);
  expectAction(v, 8, ACTION_ANNOUNCE, 'announce request');
  const ev = v.getUint32(80);
  const event = EVENTS[ev];
  if (event === undefined) fail('bad-event', `announce request event ${ev}`);
  return {
    connectionId: v.getBigUint64(0),
    transactionId: v.getUint32(12),
    infoHash: p.slice(16, 36),
    peerId: p.slice(36, 56),
    downloaded: v.getBigUint64(56),
    left: v.getBigUint64(64),
    uploaded: v.getBigUint64(72),
    event,
    ip: v.getUint32(84),
    key: v.getUint32(88),
    numWant: v.getInt32(92),
    port: v.getUint16(96),
  };
}

/** The peer list's family follows the socket the request arrived on (BEP 15, IPv6 section). */
export function encodeAnnounceResponse(r: UdpAnnounceResponse, family: IpFamily): Uint8Array {
  const peers = encodeCompactPeers(r.peers, family);
  const out = new Uint8Array(ANNOUNCE_RESPONSE_HEADER_LEN + peers.length);
  const v = view(out);
  v.setUint32(0, ACTION_ANNOUNCE);
  v.setUint32(4, u32(r.transactionId, 'transaction id'));
  v.setUint32(8, u32(r.interval, 'interval'));
  v.setUint32(12, u32(r.leechers, 'leechers'));
  v.setUint32(16, u32(r.seeders, 'seeders'));
  out.set(peers, ANNOUNCE_RESPONSE_HEADER_LEN);
  return out;
}

export function decodeAnnounceResponse(p: Uint8Array, family: IpFamily, maxPeers?: number): UdpAnnounceResponse {
  if (p.length < ANNOUNCE_RESPONSE_HEADER_LEN) fail('truncated', `announce response is ${p.length} bytes, expected >= 20`);
  const v = view(p);
  expectAction(v, 0, ACTION_ANNOUNCE, 'announce response');
  return {
    transactionId: v.getUint32(4),
    interval: v.getUint32(8),
    leechers: v.getUint32(12),
    seeders: v.getUint32(16),
    peers: decodeCompactPeers(p.subarray(ANNOUNCE_RESPONSE_HEADER_LEN), family, maxPeers),
  };
}

export function encodeScrapeRequest(r: UdpScrapeRequest): Uint8Array {
  if (r.infoHashes.length < 1 || r.infoHashes.length > MAX_SCRAPE_HASHES) throw new RangeError(`scrape needs 1..${MAX_SCRAPE_HASHES} info hashes`);
  const out = new Uint8Array(16 + 20 * r.infoHashes.length);
  const v = view(out);
  v.setBigUint64(0, u64(r.connectionId, 'connection id'));
  v.setUint32(8, ACTION_SCRAPE);
  v.setUint32(12, u32(r.transactionId, 'transaction id'));
  r.infoHashes.forEach((h, i) => out.set(bytes20(h, 'info hash'), 16 + 20 * i));
  return out;
}

export function decodeScrapeRequest(p: Uint8Array): UdpScrapeRequest {
  const n = (p.length - 16) / 20;
  if (p.length < 36 || !Number.isInteger(n)) fail('bad-length', `scrape request is ${p.length} bytes, expected 16 + 20n`);
  if (n > MAX_SCRAPE_HASHES) fail('oversize', `scrape request for ${n} torrents, limit ${MAX_SCRAPE_HASHES}`);
  const v = view(p);
  expectAction(v, 8, ACTION_SCRAPE, 'scrape request');
  const infoHashes: Uint8Array[] = [];
  for (let o = 16; o < p.length; o += 20) infoHashes.push(p.slice(o, o + 20));
  return { connectionId: v.getBigUint64(0), transactionId: v.getUint32(12), infoHashes };
}

/** scrape response: <action=2 4><transaction_id 4> then <seeders 4><completed 4><leechers 4> per torrent. */
export function encodeScrapeResponse(r: UdpScrapeResponse): Uint8Array {
  const out = new Uint8Array(8 + 12 * r.stats.length);
  const v = view(out);
  v.setUint32(0, ACTION_SCRAPE);
  v.setUint32(4, u32(r.transactionId, 'transaction id'));
  r.stats.forEach((s, i) => {
    v.setUint32(8 + 12 * i, u32(s.complete, 'seeders'));
    v.setUint32(12 + 12 * i, u32(s.downloaded, 'completed'));
    v.setUint32(16 + 12 * i, u32(s.incomplete, 'leechers'));
  });
  return out;
}

export function decodeScrapeResponse(p: Uint8Array): UdpScrapeResponse {
  const n = (p.length - 8) / 12;
  if (p.length < 8 || !Number.isInteger(n)) fail('bad-length', `scrape response is ${p.length} bytes, expected 8 + 12n`);
  if (n > MAX_SCRAPE_HASHES) fail('oversize', `scrape response for ${n} torrents`);
  const v = view(p);
  expectAction(v, 0, ACTION_SCRAPE, 'scrape response');
  const stats: ScrapeStats[] = [];
  for (let o = 8; o < p.length; o += 12) {
    stats.push({ complete: v.getUint32(o), downloaded: v.getUint32(o + 4), incomplete: v.getUint32(o + 8) });
  }
  return { transactionId: v.getUint32(4), stats };
}

/** error response: <action=3 4><transaction_id 4><message> */
export function encodeErrorResponse(transactionId: number, message: string): Uint8Array {
  const text = Buffer.from(message, 'utf8').subarray(0, MAX_ERROR_MESSAGE_LEN);
  const out = new Uint8Array(8 + text.length);
  const v = view(out);
  v.setUint32(0, ACTION_ERROR);
  v.setUint32(4, u32(transactionId, 'transaction id'));
  out.set(text, 8);
  return out;
}

export function decodeErrorResponse(p: Uint8Array): { transactionId: number; message: string } {
  if (p.length < 8) fail('truncated', `error response is ${p.length} bytes, expected >= 8`);
  if (p.length > 8 + MAX_ERROR_MESSAGE_LEN) fail('oversize', `error response is ${p.length} bytes`);
  const v = view(p);
  expectAction(v, 0, ACTION_ERROR, 'error response');
  return { transactionId: v.getUint32(4), message: new TextDecoder('utf-8', { fatal: false }).decode(p.subarray(8)) };
}

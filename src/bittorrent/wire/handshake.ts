import { HANDSHAKE_LENGTH, PROTOCOL } from './constants.ts';
import { WireError } from './errors.ts';

/**
 * BEP 3 handshake: <pstrlen=19><pstr="BitTorrent protocol"><reserved 8><info_hash 20><peer_id 20>.
 */
export interface Handshake {
  /** 8 bytes of extension flags; see makeReserved/reservedFlags. */
  reserved: Uint8Array;
  /** 20-byte SHA-1 infohash (BEP 3). */
  infoHash: Uint8Array;
  /** 20-byte peer id; BEP 20 describes the client-naming conventions. */
  peerId: Uint8Array;
}

const PSTR = new TextEncoder().encode(PROTOCOL);
const O_RESERVED = 1 + PSTR.length; // 20
const O_INFO_HASH = O_RESERVED + 8; // 28
const O_PEER_ID = O_INFO_HASH + 20; // 48

export function encodeHandshake(h: Handshake): Uint8Array {
  checkLength(h.reserved, 8, 'reserved');
  checkLength(h.infoHash, 20, 'infoHash');
  checkLength(h.peerId, 20, 'peerId');
  const out = new Uint8Array(HANDSHAKE_LENGTH);
  out[0] = PSTR.length;
  out.set(PSTR, 1);
  out.set(h.reserved, O_RESERVED);
  out.set(h.infoHash, O_INFO_HASH);
  out.set(h.peerId, O_PEER_ID);
  return out;
}

/** Decodes exactly 68 bytes. The returned fields are copies, so the caller may reuse `b`. */
export function decodeHandshake(b: Uint8Array): Handshake {
  if (b.length !== HANDSHAKE_LENGTH) throw new WireError('bad-handshake-length', `${b.length} bytes`);
  if (!isProtocolPrefix(b)) throw new WireError('bad-protocol-string');
  return {
    reserved: b.slice(O_RESERVED, O_INFO_HASH),
    infoHash: b.slice(O_INFO_HASH, O_PEER_ID),
    peerId: b.slice(O_PEER_ID, HANDSHAKE_LENGTH),
  };
}

/**
 * True when the bytes seen so far (possibly fewer than 20) agree with
 * <19>"BitTorrent protocol". Lets the framer reject a non-BitTorrent or
 * still-encrypted (BEP 8 / MSE) stream at the first wrong byte.
 */
export function isProtocolPrefix(b: Uint8Array): boolean {
  const n = Math.min(b.length, O_RESERVED);
  for (let i = 0; i < n; i++) {
    const want = i === 0 ? PSTR.length : PSTR[i - 1];
    if (b[i] !== want) return false;
  }
  return true;
}

export interface ReservedFlags {
  /** BEP 10 Extension Protocol: reserved[5] & 0x10. */
  extended: boolean;
  /** BEP 6 Fast Extension: reserved[7] & 0x04. */
  fast: boolean;
  /** BEP 5 DHT (peer will send a `port` message): reserved[7] & 0x01. */
  dht: boolean;
}

export function makeReserved(o: Partial<ReservedFlags>): Uint8Array {
  const r = new Uint8Array(8);
  if (o.extended) r[5] = (r[5] ?? 0) | 0x10;
  if (o.fast) r[7] = (r[7] ?? 0) | 0x04;
  if (o.dht) r[7] = (r[7] ?? 0) | 0x01;
  return r;
}

export function reservedFlags(r: Uint8Array): ReservedFlags {
  checkLength(r, 8, 'reserved');
  return {
    extended: ((r[5] ?? 0) & 0x10) !== 0,
    fast: ((r[7] ?? 0) & 0x04) !== 0,
    dht: ((r[7] ?? 0) & 0x01) !== 0,
  };
}

function checkLength(b: Uint8Array, n: number, what: string): void {
  if (b.length !== n) throw new RangeError(`handshake ${what} must be ${n} bytes, got ${b.length}`);
}

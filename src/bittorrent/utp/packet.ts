/**
 * uTP packet codec (BEP 29). Pure and bounded: a datagram is either a well-formed packet or a
 * UtpPacketError with a reason; nothing here allocates more than the datagram's own size.
 *
 * Header, 20 bytes, big-endian:
 *   0       4       8               16              24              32
 *   | type  | ver   | extension     | connection_id                 |
 *   | timestamp_microseconds                                        |
 *   | timestamp_difference_microseconds                             |
 *   | wnd_size                                                      |
 *   | seq_nr                        | ack_nr                        |
 * then a chain of extensions <next:u8><len:u8><len bytes>, then the payload.
 */

export const UTP_VERSION = 1;
export const HEADER_BYTES = 20;

/** BEP 29 packet types. */
export const ST_DATA = 0;
export const ST_FIN = 1;
export const ST_STATE = 2;
export const ST_RESET = 3;
export const ST_SYN = 4;
export type PacketType = typeof ST_DATA | typeof ST_FIN | typeof ST_STATE | typeof ST_RESET | typeof ST_SYN;

/** BEP 29 extension 1: selective ACK. */
export const EXT_SACK = 1;
/**
 * Extensions we walk before refusing the packet. libutp sends at most two (SACK, and the obsolete
 * extension bits 2); a chain of 255 one-byte extensions would be legal bytes and useless work.
 */
export const MAX_EXTENSIONS = 4;
/**
 * SACK bitmask bytes we send at most: BEP 29 says a multiple of 4; 32 bytes cover 256 packets past
 * ack_nr, our reorder window (utp-limits.ts). What we read is bounded by the extension's one-byte
 * length instead (255 bytes, 2,040 packets; see decodePacket).
 */
export const MAX_SACK_BYTES = 32;
/** Largest datagram we parse: one Ethernet-sized or loopback jumbo uTP packet; anything larger is refused. */
export const MAX_DATAGRAM = 65_507;

export interface UtpPacket {
  type: PacketType;
  connectionId: number;
  timestampUs: number;
  timestampDiffUs: number;
  wndSize: number;
  seqNr: number;
  ackNr: number;
  /** Selective ACK bitmask (bit 0 of byte 0 = ack_nr + 2), when the packet carried one. */
  sack: Uint8Array | null;
  payload: Uint8Array;
}

export class UtpPacketError extends Error {
  readonly reason: string;
  constructor(reason: string) { super(`utp packet: ${reason}`); this.reason = reason; }
}

/** First-byte test for a shared UDP port: uTP is type<<4 | version 1 with type 0..4; bencoded KRPC starts with 'd' (0x64). */
export function looksLikeUtp(first: number): boolean {
  return (first & 0x0f) === UTP_VERSION && first >> 4 <= ST_SYN;
}

export function decodePacket(d: Uint8Array): UtpPacket {
  if (d.length < HEADER_BYTES) throw new UtpPacketError('short');
  if (d.length > MAX_DATAGRAM) throw new UtpPacketError('oversized');
  const b0 = d[0]!;
  if ((b0 & 0x0f) !== UTP_VERSION) throw new UtpPacketError('version');
  const type = b0 >> 4;
  if (type > ST_SYN) throw new UtpPacketError('type');
  let next = d[1]!;
  let at = HEADER_BYTES;
  let sack: Uint8Array | null = null;
  for (let n = 0; next !== 0; n++) {
    if (n >= MAX_EXTENSIONS) throw new UtpPacketError('extensions');
    if (at + 2 > d.length) throw new UtpPacketError('extension-truncated');
    const kind = next;
    next = d[at]!;
    const len = d[at + 1]!;
    at += 2;
    if (at + len > d.length) throw new UtpPacketError('extension-truncated');
    if (kind === EXT_SACK) {
      // BEP 29 says a multiple of 4, but libtorrent sends (span + 7) / 8 bytes: any non-zero length
      // is read (refusing it dropped every ack after a loss and stalled libtorrent downloads).
      // Read whole: libtorrent describes its whole reorder buffer, up to its 1 MiB window (~760
      // packets, ~95 bytes). Cut at 32 bytes, it hid every loss past the 256th packet in flight,
      // and the ack of a tail-loss probe sent past it (utp-stream.ts), so such losses waited for the RTO.
      if (len === 0) throw new UtpPacketError('sack-length');
      sack = d.subarray(at, at + len);
    }
    at += len;
  }
  // Big-endian fields read byte by byte: no DataView per datagram (a seeder decodes ~260,000 acks
  // per GB served; issue 10 target, uTP CPU per GB <= libtorrent's).
  return {
    type: type as PacketType,
    connectionId: (d[2]! << 8) | d[3]!,
    timestampUs: u32(d, 4),
    timestampDiffUs: u32(d, 8),
    wndSize: u32(d, 12),
    seqNr: (d[16]! << 8) | d[17]!,
    ackNr: (d[18]! << 8) | d[19]!,
    sack,
    // Most packets a seeder receives are acks: no payload, and no view allocated for one.
    payload: at === d.length ? EMPTY : d.subarray(at),
  };
}

function u32(d: Uint8Array, at: number): number {
  return ((d[at]! << 24) | (d[at + 1]! << 16) | (d[at + 2]! << 8) | d[at + 3]!) >>> 0;
}

export interface PacketFields {
  type: PacketType;
  connectionId: number;
  timestampUs: number;
  timestampDiffUs: number;
  wndSize: number;
  seqNr: number;
  ackNr: number;
  sack?: Uint8Array | null;
  payload?: Uint8Array;
}

export function encodePacket(p: PacketFields): Buffer {
  const sack = p.sack && p.sack.length > 0 ? p.sack : null;
  const payload = p.payload ?? EMPTY;
  const ext = sack ? 2 + sack.length : 0;
  const out = Buffer.allocUnsafe(HEADER_BYTES + ext + payload.length);
  writeHeader(out, p, sack ? EXT_SACK : 0);
  if (sack) {
    out[20] = 0;
    out[21] = sack.length;
    out.set(sack, 22);
  }
  out.set(payload, HEADER_BYTES + ext);
  return out;
}

/**
 * Writes the 20-byte header into out[0..20): the encoder's, and a sender's that keeps each DATA
 * packet as one buffer (payload after the header) and rewrites the header when it resends it.
 */
export function writeHeader(out: Buffer, p: Omit<PacketFields, 'sack' | 'payload'>, firstExtension = 0): void {
  writeHeaderFields(out, p.type, firstExtension, p.connectionId, p.timestampUs, p.timestampDiffUs, p.wndSize, p.seqNr, p.ackNr);
}

/**
 * writeHeader from plain arguments, byte by byte: the sender stamps ~750,000 DATA packets per GB,
 * and an object per packet plus Buffer's bounds-checked writers cost more than the bytes.
 * Why: issue 10 target, uTP CPU per GB <= libtorrent's.
 */
export function writeHeaderFields(out: Uint8Array, type: PacketType, firstExtension: number, connectionId: number,
  timestampUs: number, timestampDiffUs: number, wndSize: number, seqNr: number, ackNr: number): void {
  const wnd = wndSize <= 0 ? 0 : wndSize >= 0xffffffff ? 0xffffffff : wndSize;
  out[0] = (type << 4) | UTP_VERSION;
  out[1] = firstExtension;
  out[2] = (connectionId >>> 8) & 0xff;
  out[3] = connectionId & 0xff;
  out[4] = timestampUs >>> 24;
  out[5] = (timestampUs >>> 16) & 0xff;
  out[6] = (timestampUs >>> 8) & 0xff;
  out[7] = timestampUs & 0xff;
  out[8] = timestampDiffUs >>> 24;
  out[9] = (timestampDiffUs >>> 16) & 0xff;
  out[10] = (timestampDiffUs >>> 8) & 0xff;
  out[11] = timestampDiffUs & 0xff;
  out[12] = wnd >>> 24;
  out[13] = (wnd >>> 16) & 0xff;
  out[14] = (wnd >>> 8) & 0xff;
  out[15] = wnd & 0xff;
  out[16] = (seqNr >>> 8) & 0xff;
  out[17] = seqNr & 0xff;
  out[18] = (ackNr >>> 8) & 0xff;
  out[19] = ackNr & 0xff;
}

const EMPTY = new Uint8Array(0);

/** Sequence numbers are 16-bit and wrap: a - b in [-32768, 32767]. */
export function seqDiff(a: number, b: number): number {
  return ((((a - b) & 0xffff) + 0x8000) & 0xffff) - 0x8000;
}

export function seqAdd(a: number, n: number): number { return (a + n) & 0xffff; }

/** Message ids of the peer-wire protocol. */
export const MessageId = {
  // BEP 3
  choke: 0,
  unchoke: 1,
  interested: 2,
  notInterested: 3,
  have: 4,
  bitfield: 5,
  request: 6,
  piece: 7,
  cancel: 8,
  // BEP 5: DHT port announcement
  port: 9,
  // BEP 6: Fast Extension
  suggest: 13,
  haveAll: 14,
  haveNone: 15,
  reject: 16,
  allowedFast: 17,
  // BEP 10: Extension Protocol
  extended: 20,
} as const;
export type MessageId = (typeof MessageId)[keyof typeof MessageId];

/** BEP 3: the handshake starts with byte 19 followed by this string. */
export const PROTOCOL = 'BitTorrent protocol';
/** BEP 3: <pstrlen=19><pstr><reserved 8><info_hash 20><peer_id 20> = 1 + 19 + 8 + 20 + 20. */
export const HANDSHAKE_LENGTH = 68;
/** Size of the 4-byte big-endian length prefix of every message after the handshake (BEP 3). */
export const LENGTH_PREFIX = 4;

/** BEP 3: "All current implementations use 2^14 (16 kiB)" as the block size. */
export const BLOCK_SIZE = 16384;
/** BEP 3: requests larger than 2^14 may be refused; we refuse them (as libtorrent and Transmission do). */
export const MAX_REQUEST_LENGTH = 16384;

/** The largest piece count we are prepared to see announced in a bitfield. */
export const MAX_BITFIELD_PIECES = 1 << 20;

/**
 * Default bound on one frame body (id byte + payload, length prefix excluded).
 * The largest legitimate message an upload-only seeder must accept is a
 * bitfield: one bit per piece, so 2^20 pieces (a 16 GiB torrent at 16 KiB
 * pieces, far larger with usual piece sizes) need 131072 bytes + the id byte.
 * Piece messages (13 + 16384) and BEP 10 extended messages (BEP 9 metadata
 * pieces are 16 KiB plus a small dictionary) are much smaller.
 */
export const MAX_FRAME_LENGTH = MAX_BITFIELD_PIECES / 8 + 1; // 131073

import { isInfoHashHex, type InfoHashHex } from './info-hash.ts';

/**
 * Which P2P network an observation came from, as its adapter names itself (NetworkAdapter.network):
 * 'bittorrent' today, 'ed2k' for the eDonkey/Kad adapter the reshape plans (issue 16, item 3).
 * Lowercase letters, digits and '-', at most 32 characters.
 */
export type NetworkName = string;

export function isNetworkName(s: unknown): s is NetworkName {
  return typeof s === 'string' && /^[a-z][a-z0-9-]{0,31}$/.test(s);
}

/**
 * A network-neutral name of the content an observation is about, "<scheme>:<lowercase hex>":
 * - `btih:<40 hex>`  a BitTorrent v1 infohash (BEP 3, SHA-1 of the info dictionary), as in magnet links (BEP 9);
 * - `btmh:<multihash hex>`  a BitTorrent v2 infohash (BEP 52) as a multihash: 1220 + SHA-256 of the info dictionary;
 * - `ed2k:<32 hex>`  an eDonkey file hash (MD4 root of the part hashes), for the eDonkey adapter.
 * Records and queries can then name content without knowing the network's own fields.
 */
export type ContentId = string;

const CONTENT_ID = /^(?:btih:[0-9a-f]{40}|btmh:1220[0-9a-f]{64}|ed2k:[0-9a-f]{32})$/;

export function isContentId(s: string): s is ContentId {
  return CONTENT_ID.test(s);
}

/** The content id of a BitTorrent v1 (or hybrid, served on its v1 infohash) decoy. */
export function btihContentId(infoHash: InfoHashHex): ContentId {
  if (!isInfoHashHex(infoHash)) throw new RangeError(`not a 40-char lowercase hex infohash: ${infoHash}`);
  return `btih:${infoHash}`;
}

/** The content id of a BitTorrent v2 infohash (32 bytes of SHA-256, hex): multihash code 0x12 (sha2-256), length 0x20. */
export function btmhContentId(sha256Hex: string): ContentId {
  if (!/^[0-9a-f]{64}$/.test(sha256Hex)) throw new RangeError(`not a 64-char lowercase hex v2 infohash: ${sha256Hex}`);
  return `btmh:1220${sha256Hex}`;
}

/**
 * What an adapter stamps on the observations it publishes. Both are absent on observations recorded
 * before records carried them (record schema v1); a record with `network` is schema v2
 * (evidence/record.ts). `contentId` is null when the observation names no content (a connection
 * refused before its handshake said which).
 */
export interface NetworkStamp {
  readonly network?: NetworkName;
  readonly contentId?: ContentId | null;
}

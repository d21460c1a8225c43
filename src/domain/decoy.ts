import type { InfoHashHex } from './info-hash.ts';

export type DecoyStatus = 'active' | 'retired';

/**
 * A decoy: a torrent whose content is a registered warning payload.
 * Only metadata is stored; content bytes come from a PieceSource on demand.
 */
export interface Decoy {
  readonly id: number;
  readonly infoHash: InfoHashHex;
  /** The torrent's display name (info.name), from the operator's name list. */
  readonly name: string;
  readonly payloadId: string;
  /** Total content length in bytes. */
  readonly size: number;
  readonly pieceLength: number;
  readonly pieceCount: number;
  /** The exact bencoded info dictionary; its SHA-1 is the infohash and BEP 9 serves it verbatim. */
  readonly info: Uint8Array;
  /** SHA-256 of the full content bytes, for examiners and tests. */
  readonly contentSha256: string;
  readonly status: DecoyStatus;
  /** UTC ms. */
  readonly createdAt: number;
}

/** A decoy before it has a database id. */
export type NewDecoy = Omit<Decoy, 'id' | 'status' | 'createdAt'>;

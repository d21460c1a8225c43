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

/**
 * What a serving node keeps in memory per decoy: enough to route a handshake and compute
 * bytes, but not the info dict (tens of KB for a large decoy) nor the name, which are
 * loaded on demand. 100,000 decoys per node make this matter.
 */
export interface ServedDecoy {
  readonly id: number;
  readonly infoHash: InfoHashHex;
  readonly payloadId: string;
  readonly size: number;
  readonly pieceLength: number;
  readonly pieceCount: number;
  /** Length of the bencoded info dict (BEP 9 metadata_size). */
  readonly infoLength: number;
}

export function toServedDecoy(d: Decoy | ServedDecoy): ServedDecoy {
  return {
    id: d.id, infoHash: d.infoHash, payloadId: d.payloadId, size: d.size, pieceLength: d.pieceLength, pieceCount: d.pieceCount,
    infoLength: 'info' in d ? d.info.length : d.infoLength,
  };
}

/** What must be stored per decoy file to recompute its bytes: O(metadata). */
export interface StoredFile {
  readonly variantId: string;
  readonly format: string;
  readonly size: number;
  readonly nonce: Uint8Array;
  readonly path?: readonly string[];
}

/** A decoy made by the decoy factory, with the per-file parameters its bytes are computed from. */
export interface BuiltDecoy {
  readonly decoy: NewDecoy;
  readonly files: readonly StoredFile[];
}

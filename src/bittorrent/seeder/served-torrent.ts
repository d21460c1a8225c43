import type { ServedDecoy } from '../../domain/decoy.ts';
import type { PieceSource } from '../../domain/piece-source.ts';

/** What the seeder needs to serve one decoy: compact metadata in memory, bytes and info dict on demand. */
export interface ServedTorrent {
  readonly decoy: ServedDecoy;
  readonly infoHash: Uint8Array;
  /** Resolved lazily: decoys sharing content parameters share a source. */
  source(): PieceSource;
  /** The exact bencoded info dict (BEP 9 serves it verbatim); loaded on demand and cached. */
  info(): Uint8Array;
}

/** Length of piece `index`; the last piece may be short (BEP 3). */
export function pieceSize(d: Pick<ServedDecoy, 'size' | 'pieceLength' | 'pieceCount'>, index: number): number {
  if (index < d.pieceCount - 1) return d.pieceLength;
  return d.size - d.pieceLength * (d.pieceCount - 1);
}

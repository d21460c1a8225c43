import type { Decoy } from '../../domain/decoy.ts';
import type { PieceSource } from '../../domain/piece-source.ts';

/** What the seeder needs to serve one decoy: its metadata and where its bytes come from. */
export interface ServedTorrent {
  readonly decoy: Decoy;
  readonly infoHash: Uint8Array;
  /** Resolved lazily: decoys sharing a payload share one source. */
  source(): PieceSource;
}

/** Length of piece `index`; the last piece may be short (BEP 3). */
export function pieceSize(d: Pick<Decoy, 'size' | 'pieceLength' | 'pieceCount'>, index: number): number {
  if (index < d.pieceCount - 1) return d.pieceLength;
  return d.size - d.pieceLength * (d.pieceCount - 1);
}

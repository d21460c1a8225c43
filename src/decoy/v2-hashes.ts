import { createHash } from 'node:crypto';
import { asDict, decode, getInt } from '../bencode/index.ts';
import type { PieceSource } from '../domain/piece-source.ts';
import { fileMerkle, V2_BLOCK, type FileMerkle } from './merkle-v2.ts';
import { pieceLayers } from './metainfo-hybrid.ts';
import { METAINFO_LIMITS } from './metainfo-limits.ts';
import { VirtualPieceSource, type DecoyFile } from './virtual-source.ts';

/** Layout format of BEP 47 pad files inside a hybrid decoy's content. */
export const PAD_FORMAT = 'pad';

export interface V2File extends FileMerkle {
  readonly path: readonly string[] | undefined;
  readonly length: number;
}

/**
 * BEP 52 Merkle roots and piece layers of a decoy's real files (pad files skipped),
 * computed from its virtual bytes: blocks wholly inside a file's fill share one cached
 * leaf, so only heads and tails are hashed however large the decoy.
 */
export function v2FileHashes(files: readonly DecoyFile[], pieceLength: number): V2File[] {
  const src = new VirtualPieceSource(files);
  const fillLeaf = new Map<number, Uint8Array>();
  const out: V2File[] = [];
  let at = 0;
  for (const f of files) {
    const start = at;
    at += f.size;
    if (f.layout.format === PAD_FORMAT) continue;
    const fillFrom = f.layout.head.length;
    const fillTo = f.size - f.layout.tailLength;
    const m = fileMerkle(f.size, pieceLength, (i) => {
      const a = i * V2_BLOCK;
      const b = Math.min(f.size, a + V2_BLOCK);
      if (a >= fillFrom && b <= fillTo && b - a === V2_BLOCK) {
        let h = fillLeaf.get(f.layout.fill);
        if (!h) { h = new Uint8Array(createHash('sha256').update(new Uint8Array(V2_BLOCK).fill(f.layout.fill)).digest()); fillLeaf.set(f.layout.fill, h); }
        return h;
      }
      return new Uint8Array(createHash('sha256').update(src.read(start + a, b - a)).digest());
    });
    out.push({ ...m, path: f.path, length: f.size });
  }
  return out;
}

/** Whether an info dict is a BEP 52 one (hybrid or v2): `meta version` 2. */
export function isV2Info(info: Uint8Array): boolean {
  return getInt(asDict(decode(info, METAINFO_LIMITS)), 'meta version') === 2;
}

/**
 * BEP 52 `piece layers` for a decoy's .torrent, recomputed from its virtual bytes (not
 * stored: O(pieces) and cheap to redo). Undefined for v1 decoys.
 */
export function decoyPieceLayers(decoy: { readonly info: Uint8Array; readonly pieceLength: number }, source: PieceSource): Map<string, Uint8Array> | undefined {
  if (!isV2Info(decoy.info)) return undefined;
  if (!(source instanceof VirtualPieceSource)) throw new RangeError('a hybrid decoy must come from the decoy factory');
  return pieceLayers(v2FileHashes(source.files, decoy.pieceLength));
}

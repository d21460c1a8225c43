import { encode } from '../bencode/index.ts';
import { MetainfoError } from './errors.ts';
import { sha1 } from './metainfo.ts';
import { nameProblem } from './name-rules.ts';
import { isValidPieceLength } from './piece-length.ts';

/** Files per multi-file decoy: a folder of a few files looks genuine; thousands would bloat the info dict. */
export const MAX_FILES_PER_DECOY = 1000;
/** Folder depth inside a decoy. */
export const MAX_PATH_DEPTH = 8;

export interface MultiInfoParams {
  /** The folder name (info.name). */
  readonly name: string;
  readonly files: readonly { readonly path: readonly string[]; readonly length: number }[];
  readonly pieceLength: number;
  readonly pieces: Uint8Array;
}

/**
 * A multi-file v1 info dictionary (BEP 3): `files` (length + path list each, in
 * content order), `name` (the folder), `piece length`, `pieces`. Every path component
 * must be a safe file name, because clients create these paths on disk.
 */
export function buildMultiInfo(p: MultiInfoParams): { info: Uint8Array; infoHash: Uint8Array } {
  const problem = nameProblem(p.name);
  if (problem) throw new MetainfoError(`bad folder name: ${problem}`);
  if (p.files.length === 0 || p.files.length > MAX_FILES_PER_DECOY) throw new MetainfoError(`a multi-file decoy needs 1-${MAX_FILES_PER_DECOY} files, got ${p.files.length}`);
  if (!isValidPieceLength(p.pieceLength)) throw new MetainfoError(`bad piece length ${p.pieceLength}`);
  let total = 0;
  const seen = new Set<string>();
  for (const f of p.files) {
    if (f.path.length === 0 || f.path.length > MAX_PATH_DEPTH) throw new MetainfoError(`file path must have 1-${MAX_PATH_DEPTH} components`);
    for (const c of f.path) { const pr = nameProblem(c); if (pr) throw new MetainfoError(`bad file path component: ${pr}`); }
    const key = f.path.join('/');
    if (seen.has(key)) throw new MetainfoError(`duplicate file path in folder ${p.name}: ${key}`);
    seen.add(key);
    if (!Number.isSafeInteger(f.length) || f.length <= 0) throw new MetainfoError(`file length must be positive, got ${f.length}`);
    total += f.length;
  }
  if (p.pieces.length !== Math.ceil(total / p.pieceLength) * 20) throw new MetainfoError('pieces do not match the total length');
  const info = encode({ files: p.files.map((f) => ({ length: f.length, path: [...f.path] })), name: p.name, 'piece length': p.pieceLength, pieces: p.pieces });
  return { info, infoHash: sha1(info) };
}

import { createHash } from 'node:crypto';
import { encode, type Encodable } from '../bencode/index.ts';
import { MetainfoError } from './errors.ts';
import { sha1 } from './metainfo.ts';
import { nameProblem } from './name-rules.ts';
import { isValidPieceLength } from './piece-length.ts';
import type { V2File } from './v2-hashes.ts';

export interface HybridInfoParams {
  readonly name: string;
  readonly pieceLength: number;
  /** v1 SHA-1 piece hashes over the content with pad files. */
  readonly pieces: Uint8Array;
  /** v1 file list in content order, BEP 47 pad files included; undefined for a single-file decoy. */
  readonly v1Files: readonly { readonly path: readonly string[]; readonly length: number; readonly pad: boolean }[] | undefined;
  /** The real files with their BEP 52 roots, in content order. */
  readonly v2Files: readonly V2File[];
}

/**
 * A hybrid v1+v2 info dictionary (BEP 52 "upgrade path"): the v1 keys (`length` or
 * `files` with BEP 47 pad files that start every file on a piece boundary, `pieces`)
 * plus `meta version` 2 and the `file tree` (path -> {"": {length, pieces root}}).
 * v1 infohash = SHA-1 of the dict; v2 infohash = SHA-256 of the same bytes.
 */
export function buildHybridInfo(p: HybridInfoParams): { info: Uint8Array; infoHash: Uint8Array; infoHashV2: Uint8Array } {
  const problem = nameProblem(p.name);
  if (problem) throw new MetainfoError(`bad torrent name: ${problem}`);
  if (!isValidPieceLength(p.pieceLength)) throw new MetainfoError(`bad piece length ${p.pieceLength}`);
  const single = p.v1Files === undefined;
  if (single && p.v2Files.length !== 1) throw new MetainfoError('a single-file hybrid has exactly one file');
  let total = 0;
  for (const f of p.v1Files ?? p.v2Files) total += f.length;
  if (p.pieces.length !== Math.ceil(total / p.pieceLength) * 20) throw new MetainfoError('pieces do not match the total length');
  // BEP 52: single-file torrents name the file at the top of the tree; multi-file ones are
  // relative to the folder. Keys are the UTF-8 bytes as latin1 strings, so they sort bytewise.
  type Tree = Map<string, Tree | Encodable>;
  const tree: Tree = new Map();
  const key = (c: string) => Buffer.from(c, 'utf8').toString('latin1');
  for (const f of p.v2Files) {
    const path = single ? [p.name] : f.path;
    if (!path || path.length === 0) throw new MetainfoError('multi-file hybrid files need a path');
    let node = tree;
    for (const c of path.slice(0, -1)) {
      let next = node.get(key(c));
      if (!(next instanceof Map)) { next = new Map(); node.set(key(c), next); }
      node = next as Tree;
    }
    node.set(key(path[path.length - 1]!), new Map([['', { length: f.length, 'pieces root': f.root }]]));
  }
  const info = encode({
    'file tree': tree as Encodable,
    ...(single
      ? { length: total }
      : { files: p.v1Files!.map((f) => (f.pad ? { attr: 'p', length: f.length, path: [...f.path] } : { length: f.length, path: [...f.path] })) }),
    'meta version': 2,
    name: p.name,
    'piece length': p.pieceLength,
    pieces: p.pieces,
  });
  return { info, infoHash: sha1(info), infoHashV2: new Uint8Array(createHash('sha256').update(info).digest()) };
}

/** BEP 52 `piece layers` (outside the info dict): pieces root -> layer, for files longer than a piece. */
export function pieceLayers(files: readonly V2File[]): Map<string, Uint8Array> {
  const m = new Map<string, Uint8Array>();
  for (const f of files) if (f.layer) m.set(Buffer.from(f.root).toString('latin1'), f.layer);
  return m;
}

import { createHash, type Hash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { asDict, decode, getBytes, getInt } from '../bencode/index.ts';
import type { Decoy } from '../domain/decoy.ts';
import type { PieceSource } from '../domain/piece-source.ts';
import { ContentHasher } from './content-hasher.ts';

/** How one candidate decoy (same size as the file) compares with the file, piece by piece (BEP 3 SHA-1). */
export interface PieceMatch {
  readonly decoy: Decoy;
  readonly pieceCount: number;
  /** Pieces whose SHA-1 equals the decoy's: a partial download still holds the pieces it fetched. */
  readonly piecesMatching: number;
}

/** One file of a folder (multi-file) decoy, with the source its bytes are recomputed from. */
export interface FolderFile {
  readonly decoy: Decoy;
  /** Its path inside the decoy's folder. */
  readonly path: readonly string[];
  /** The variant (container format) of the decoy's payload that the file is made from. */
  readonly variantId: string;
  readonly format: string;
  readonly source: PieceSource;
}

export interface Identification {
  readonly size: number;
  readonly sha256: string;
  /** Decoys whose content SHA-256 equals the file's: the file IS that decoy's content. */
  readonly exact: readonly Decoy[];
  /** Every decoy of the file's size (single-file decoys), with its matching pieces. */
  readonly bySize: readonly PieceMatch[];
  /** Files of folder decoys whose recomputed content equals the file: the file IS that file of that decoy. */
  readonly inFolder: readonly FolderFile[];
  /** How many files of folder decoys have the file's size (those in `inFolder` included). */
  readonly folderFilesOfSize: number;
}

const CHUNK = 1 << 20;

/**
 * Tells an examiner whether a file found on a seized device is one of this data directory's decoys
 * (issue 15, item 5), without a hash list: every decoy has its own size and content SHA-256 (the
 * factory pads each to a unique size with a random nonce), so the store is asked for the decoys of
 * the file's size, and the file is read once to get its SHA-256 and, for each candidate, the SHA-1
 * of each of its pieces. An exact SHA-256 match identifies the decoy; matching pieces show what part
 * of a decoy an incomplete file holds (pieces never fetched are zeros, and do not match).
 * A file taken out of a folder decoy is one file of it, not the decoy's content: it is matched
 * against the folder decoys' files of its size, each recomputed (exact matches only: a folder's
 * pieces span its files' boundaries).
 * Memory: one 1 MiB buffer and one hash state per candidate piece length, whatever the file size.
 */
export async function identifyFile(
  path: string, candidatesOfSize: (size: number) => Promise<readonly Decoy[]>,
  opts: {
    signal?: AbortSignal;
    /**
     * The files of folder decoys of this size. A file taken out of a folder decoy is compared with
     * each by recomputing that file's content SHA-256 (ContentHasher: from checkpoints, not a full read).
     */
    folderFilesOfSize?: (size: number) => Promise<readonly FolderFile[]>;
    hasher?: ContentHasher;
  } = {},
): Promise<Identification> {
  const fd = openSync(path, 'r');
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new TypeError(`${path} is not a regular file`);
    const size = st.size;
    const candidates = (await candidatesOfSize(size)).map((d) => ({ decoy: d, pieces: singleFilePieces(d) })).filter((c) => c.pieces !== undefined);
    const lengths = [...new Set(candidates.map((c) => c.pieces!.pieceLength))];
    const pieceHashes = new Map<number, Buffer[]>(lengths.map((l) => [l, []]));
    const current = new Map<number, { h: Hash; filled: number }>(lengths.map((l) => [l, { h: createHash('sha1'), filled: 0 }]));
    const sha256 = createHash('sha256');
    const buf = Buffer.allocUnsafe(CHUNK);
    for (let pos = 0, chunks = 0; pos < size; chunks++) {
      const n = readSync(fd, buf, 0, Math.min(CHUNK, size - pos), pos);
      if (n <= 0) throw new Error(`${path} ended at ${pos} of ${size} bytes while being read`);
      const b = buf.subarray(0, n);
      sha256.update(b);
      for (const l of lengths) {
        const c = current.get(l)!;
        for (let off = 0; off < n;) {
          const take = Math.min(n - off, l - c.filled);
          c.h.update(b.subarray(off, off + take));
          c.filled += take;
          off += take;
          if (c.filled === l) { pieceHashes.get(l)!.push(c.h.digest()); c.h = createHash('sha1'); c.filled = 0; }
        }
      }
      pos += n;
      // A seized file can be tens of GB: let SIGINT/SIGTERM in every 64 MiB.
      if (chunks % 64 === 63) { await new Promise<void>((r) => setImmediate(r)); opts.signal?.throwIfAborted(); }
    }
    for (const l of lengths) { const c = current.get(l)!; if (c.filled > 0) pieceHashes.get(l)!.push(c.h.digest()); }
    const digest = sha256.digest('hex');
    const bySize = candidates.map(({ decoy, pieces }) => {
      const mine = pieceHashes.get(pieces!.pieceLength)!;
      let matching = 0;
      for (let i = 0; i < pieces!.count; i++) if (mine[i]?.equals(pieces!.hashes.subarray(20 * i, 20 * i + 20))) matching++;
      return { decoy, pieceCount: pieces!.count, piecesMatching: matching };
    });
    const folderFiles = (await opts.folderFilesOfSize?.(size)) ?? [];
    const hasher = opts.hasher ?? new ContentHasher();
    const inFolder: FolderFile[] = [];
    for (const f of folderFiles) {
      if ((await hasher.digests(f.source, opts.signal ? { signal: opts.signal } : {})).sha256 === digest) inFolder.push(f);
    }
    return { size, sha256: digest, exact: bySize.filter((m) => m.decoy.contentSha256 === digest).map((m) => m.decoy), bySize, inFolder, folderFilesOfSize: folderFiles.length };
  } finally {
    closeSync(fd);
  }
}

/** A single-file decoy's piece length and SHA-1 pieces (BEP 3); undefined for multi-file decoys. */
function singleFilePieces(d: Decoy): { pieceLength: number; hashes: Uint8Array; count: number } | undefined {
  const info = asDict(decode(d.info), 'info');
  if (getInt(info, 'length') === undefined) return undefined;
  const hashes = getBytes(info, 'pieces');
  const pieceLength = getInt(info, 'piece length');
  if (!hashes || !pieceLength) return undefined;
  return { pieceLength, hashes, count: hashes.length / 20 };
}

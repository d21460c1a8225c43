import { type BValue, asDict, decode, getBytes, getInt, isDict } from '../bencode/index.ts';
import { InfoLayoutError } from './errors.ts';

/** Largest info dictionary accepted, in bytes; lab decoys are tiny. ut_metadata's own cap is 10 MB. */
export const MAX_INFO_BYTES = 1 << 20;
/** BEP 3 leaves piece length open; real clients stay at or below 16 MiB, 64 MiB is generous. */
const MAX_PIECE_LENGTH = 64 << 20;
const MAX_FILES = 10_000;
const SHA1_LEN = 20;
const INFO_LIMITS = { maxDepth: 8, maxItems: 100_000, maxStringLength: MAX_INFO_BYTES };

/** What a downloader needs from an info dictionary: the piece grid and the expected hashes. */
export interface InfoLayout {
  readonly totalLength: number;
  readonly pieceLength: number;
  readonly pieceCount: number;
  /** Concatenated 20-byte SHA-1 hashes, one per piece (BEP 3 `pieces`). */
  readonly pieceHashes: Uint8Array;
}

/**
 * Lays out a bencoded info dictionary (BEP 3): single-file `length` or
 * multi-file `files[].length`, content being the files concatenated.
 * Rejects content larger than maxBytes before anything is downloaded.
 */
export function parseInfoLayout(info: Uint8Array, maxBytes: number): InfoLayout {
  if (info.length > MAX_INFO_BYTES) throw new InfoLayoutError(`info dictionary larger than ${MAX_INFO_BYTES} bytes`);
  const d = typed(() => asDict(decode(info, INFO_LIMITS), 'info'));
  const pieceLength = typed(() => getInt(d, 'piece length'));
  if (pieceLength === undefined || pieceLength < 1 || pieceLength > MAX_PIECE_LENGTH) {
    throw new InfoLayoutError(`"piece length" missing or outside [1, ${MAX_PIECE_LENGTH}]`);
  }
  const pieces = typed(() => getBytes(d, 'pieces'));
  if (pieces === undefined || pieces.length % SHA1_LEN !== 0) throw new InfoLayoutError('"pieces" missing or not a multiple of 20 bytes');

  const totalLength = contentLength(d.get('length'), d.get('files'), maxBytes);
  if (totalLength === 0) throw new InfoLayoutError('content is empty');
  const pieceCount = Math.ceil(totalLength / pieceLength);
  if (pieces.length !== pieceCount * SHA1_LEN) {
    throw new InfoLayoutError(`"pieces" holds ${pieces.length / SHA1_LEN} hashes, content needs ${pieceCount}`);
  }
  return { totalLength, pieceLength, pieceCount, pieceHashes: pieces };
}

/** Size of piece `index`; the last piece may be short (BEP 3). */
export function pieceSize(layout: InfoLayout, index: number): number {
  const start = index * layout.pieceLength;
  return Math.min(layout.pieceLength, layout.totalLength - start);
}

export function pieceHash(layout: InfoLayout, index: number): Uint8Array {
  return layout.pieceHashes.subarray(index * SHA1_LEN, (index + 1) * SHA1_LEN);
}

function contentLength(length: BValue | undefined, files: BValue | undefined, maxBytes: number): number {
  const tooBig = (): InfoLayoutError => new InfoLayoutError(`content larger than maxBytes (${maxBytes})`);
  if (length !== undefined) {
    if (typeof length !== 'number' || length < 0) throw new InfoLayoutError('"length" is not a non-negative integer');
    if (length > maxBytes) throw tooBig();
    return length;
  }
  if (!Array.isArray(files) || files.length === 0) throw new InfoLayoutError('neither "length" nor a non-empty "files" list');
  if (files.length > MAX_FILES) throw new InfoLayoutError(`more than ${MAX_FILES} files`);
  let total = 0;
  for (const f of files) {
    const n = isDict(f) ? f.get('length') : undefined;
    if (typeof n !== 'number' || n < 0) throw new InfoLayoutError('a "files" entry has no valid "length"');
    total += n;
    if (total > maxBytes) throw tooBig();
  }
  return total;
}

/** Runs a bencode reader, turning its BencodeError into an InfoLayoutError. */
function typed<T>(read: () => T): T {
  try {
    return read();
  } catch (err) {
    throw new InfoLayoutError((err as Error).message);
  }
}

import { createHash } from 'node:crypto';
import { type BDict, type BValue, BencodeError, asDict, decode, decodePrefix, getBytes, getDict, getInt } from '../bencode/index.ts';
import { MetainfoError } from './errors.ts';
import { MAX_TORRENT_BYTES, METAINFO_LIMITS } from './metainfo-limits.ts';

export interface ParsedTorrent {
  readonly infoHash: Uint8Array;
  /** The info dictionary's exact bytes, as found in the file. */
  readonly info: Uint8Array;
  readonly name: string;
  /** Total content length (sum of every file, pad files included). */
  readonly length: number;
  readonly pieceLength: number;
  /** Files in content order (BEP 3); one entry with path [name] for a single-file torrent. */
  readonly files: readonly ParsedFile[];
  /** BEP 3 multi-file mode (`files`): saved under a folder named info.name. */
  readonly multiFile: boolean;
  /** True when the info dict also carries BEP 52 `meta version` 2 (a hybrid). */
  readonly hybrid: boolean;
  /** announce-list flattened in tier order (BEP 12), else `announce`; duplicates removed. */
  readonly announce: string[];
}

export interface ParsedFile {
  /** Path inside the torrent's folder (BEP 3 `path`); [info.name] for a single-file torrent. */
  readonly path: readonly string[];
  readonly length: number;
  /** BEP 47 pad file (attr contains "p"): zeros that clients need not keep. */
  readonly pad: boolean;
}

/** Files per torrent we read: far above any decoy (MAX_FILES_PER_DECOY), bounded for hostile input. */
const MAX_FILES = 100_000;
/** Path components per file. */
const MAX_PATH_DEPTH = 32;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads a v1 (or hybrid v1+v2) .torrent, single- or multi-file, with bounded bencode
 * limits. Used to check exported files. v2-only torrents (no `pieces`) are rejected:
 * decoys always carry the v1 part (BEP 52 hybrids keep it).
 */
export function parseTorrentFile(bytes: Uint8Array): ParsedTorrent {
  if (bytes.length > MAX_TORRENT_BYTES) throw new MetainfoError(`.torrent is ${bytes.length} bytes, over the limit of ${MAX_TORRENT_BYTES}`);
  try {
    const root = asDict(decode(bytes, METAINFO_LIMITS), '.torrent');
    const infoDict = getDict(root, 'info');
    if (infoDict === undefined) throw new MetainfoError('.torrent has no info dictionary');
    const info = dictValueBytes(bytes, 'info');
    return { infoHash: new Uint8Array(createHash('sha1').update(info).digest()), info, ...readInfo(infoDict), announce: readAnnounce(root) };
  } catch (err) {
    if (err instanceof BencodeError) throw new MetainfoError(`not a valid .torrent: ${err.message}`);
    throw err;
  }
}

function readInfo(d: BDict): { name: string; length: number; pieceLength: number; files: ParsedFile[]; multiFile: boolean; hybrid: boolean } {
  const name = text(getBytes(d, 'name'), 'info.name');
  const pieceLength = getInt(d, 'piece length');
  const pieces = getBytes(d, 'pieces');
  if (pieceLength === undefined || pieceLength <= 0) throw new MetainfoError('info["piece length"] is missing or not positive');
  if (pieces === undefined) throw new MetainfoError('info.pieces is missing (v2-only torrents are not supported)');
  let files: ParsedFile[];
  if (d.has('files')) {
    if (d.has('length')) throw new MetainfoError('info has both length and files (BEP 3 allows one)');
    files = readFiles(d.get('files')!);
  } else {
    const length = getInt(d, 'length');
    if (length === undefined || length <= 0) throw new MetainfoError('info.length is missing or not positive');
    files = [{ path: [name], length, pad: false }];
  }
  let length = 0;
  for (const f of files) length += f.length;
  if (!Number.isSafeInteger(length) || length <= 0) throw new MetainfoError('total length is not a positive safe integer');
  const expected = Math.ceil(length / pieceLength) * 20;
  if (pieces.length !== expected) throw new MetainfoError(`info.pieces is ${pieces.length} bytes, expected ${expected} for ${Math.ceil(length / pieceLength)} pieces`);
  return { name, length, pieceLength, files, multiFile: d.has('files'), hybrid: getInt(d, 'meta version') === 2 };
}

/** BEP 3 multi-file `files`: [{length, path: [component...]}], BEP 47 `attr`. */
function readFiles(v: BValue): ParsedFile[] {
  if (!Array.isArray(v) || v.length === 0) throw new MetainfoError('info.files must be a non-empty list');
  if (v.length > MAX_FILES) throw new MetainfoError(`info.files has ${v.length} entries, over the limit of ${MAX_FILES}`);
  return v.map((e, i) => {
    const f = asDict(e, `info.files[${i}]`);
    const length = getInt(f, 'length');
    if (length === undefined || length < 0 || !Number.isSafeInteger(length)) throw new MetainfoError(`info.files[${i}].length is missing or negative`);
    const path = f.get('path');
    if (!Array.isArray(path) || path.length === 0 || path.length > MAX_PATH_DEPTH) throw new MetainfoError(`info.files[${i}].path must be a list of 1-${MAX_PATH_DEPTH} components`);
    const attr = getBytes(f, 'attr');
    return { path: path.map((c) => text(asBytes(c), `info.files[${i}].path`)), length, pad: attr !== undefined && Buffer.from(attr).includes(0x70) };
  });
}

function readAnnounce(root: BDict): string[] {
  const out = new Set<string>();
  const list = root.get('announce-list');
  if (Array.isArray(list)) {
    for (const tier of list) {
      if (!Array.isArray(tier)) throw new MetainfoError('announce-list tiers must be lists (BEP 12)');
      for (const url of tier) out.add(text(asBytes(url), 'announce-list entry'));
    }
  } else if (list !== undefined) {
    throw new MetainfoError('announce-list must be a list (BEP 12)');
  }
  if (out.size === 0) {
    const one = getBytes(root, 'announce');
    if (one !== undefined) out.add(text(one, 'announce'));
  }
  return [...out];
}

/**
 * The exact bytes of a top-level dictionary value, found by walking the (already
 * validated) encoding: re-encoding could differ from what the author hashed.
 */
function dictValueBytes(buf: Uint8Array, key: string): Uint8Array {
  let pos = 1; // past 'd'
  while (buf[pos] !== 0x65) {
    const k = decodePrefix(buf.subarray(pos), METAINFO_LIMITS);
    const keyBytes = k.value as Uint8Array;
    pos += k.end;
    const v = decodePrefix(buf.subarray(pos), METAINFO_LIMITS);
    if (Buffer.from(keyBytes).toString('latin1') === key) return buf.subarray(pos, pos + v.end);
    pos += v.end;
  }
  throw new MetainfoError(`.torrent has no ${key}`);
}

function asBytes(v: BValue): Uint8Array {
  if (!(v instanceof Uint8Array)) throw new MetainfoError('expected a byte string');
  return v;
}

function text(b: Uint8Array | undefined, what: string): string {
  if (b === undefined) throw new MetainfoError(`${what} is missing`);
  try {
    return utf8.decode(b);
  } catch {
    throw new MetainfoError(`${what} is not valid UTF-8`);
  }
}

import { createHash } from 'node:crypto';
import { type BDict, type BValue, BencodeError, asDict, decode, decodePrefix, getBytes, getDict, getInt } from '../bencode/index.ts';
import { MetainfoError } from './errors.ts';
import { MAX_TORRENT_BYTES, METAINFO_LIMITS } from './metainfo-limits.ts';

export interface ParsedTorrent {
  readonly infoHash: Uint8Array;
  /** The info dictionary's exact bytes, as found in the file. */
  readonly info: Uint8Array;
  readonly name: string;
  readonly length: number;
  readonly pieceLength: number;
  /** announce-list flattened in tier order (BEP 12), else `announce`; duplicates removed. */
  readonly announce: string[];
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads a single-file v1 (or hybrid) .torrent with bounded bencode limits. Used to
 * check exported files; multi-file and v2-only torrents are rejected because decoys
 * are never built that way.
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

function readInfo(d: BDict): { name: string; length: number; pieceLength: number } {
  if (d.has('files')) throw new MetainfoError('multi-file torrents are not supported');
  const name = text(getBytes(d, 'name'), 'info.name');
  const length = getInt(d, 'length');
  const pieceLength = getInt(d, 'piece length');
  const pieces = getBytes(d, 'pieces');
  if (length === undefined || length <= 0) throw new MetainfoError('info.length is missing or not positive');
  if (pieceLength === undefined || pieceLength <= 0) throw new MetainfoError('info["piece length"] is missing or not positive');
  if (pieces === undefined) throw new MetainfoError('info.pieces is missing (v2-only torrents are not supported)');
  const expected = Math.ceil(length / pieceLength) * 20;
  if (pieces.length !== expected) throw new MetainfoError(`info.pieces is ${pieces.length} bytes, expected ${expected} for ${Math.ceil(length / pieceLength)} pieces`);
  return { name, length, pieceLength };
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

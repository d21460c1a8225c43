import { createHash } from 'node:crypto';
import { decode, encode, isDict, BencodeError } from '../bencode/index.ts';
import { MetainfoError } from './errors.ts';
import { nameProblem } from './name-rules.ts';
import { isValidPieceLength } from './piece-length.ts';
import { METAINFO_LIMITS } from './metainfo-limits.ts';
import { checkTrackers } from './trackers.ts';

export interface InfoParams {
  readonly name: string;
  readonly pieceLength: number;
  /** Content length in bytes. */
  readonly length: number;
  /** Concatenated SHA-1 piece hashes (BEP 3). */
  readonly pieces: Uint8Array;
}

/**
 * The canonical bencoded info dictionary of a single-file v1 torrent (BEP 3):
 * exactly `length`, `name`, `piece length`, `pieces`, keys sorted. No `private`
 * flag: decoys must be reachable through the DHT and PEX (BEP 27 would forbid it).
 * The infohash is the SHA-1 of these exact bytes.
 */
export function buildInfo(p: InfoParams): { info: Uint8Array; infoHash: Uint8Array } {
  const problem = nameProblem(p.name);
  if (problem) throw new MetainfoError(`bad torrent name: ${problem}`);
  if (!Number.isSafeInteger(p.length) || p.length <= 0) throw new MetainfoError(`length must be a positive safe integer, got ${p.length}`);
  if (!isValidPieceLength(p.pieceLength)) throw new MetainfoError(`piece length must be a power of two between 16 KiB and 16 MiB, got ${p.pieceLength}`);
  const expected = Math.ceil(p.length / p.pieceLength) * 20;
  if (p.pieces.length !== expected) throw new MetainfoError(`pieces must be ${expected} bytes (20 per piece), got ${p.pieces.length}`);
  const info = encode({ length: p.length, name: p.name, 'piece length': p.pieceLength, pieces: p.pieces });
  return { info, infoHash: sha1(info) };
}

export interface TorrentFileParams {
  /** Exact info-dictionary bytes, embedded verbatim. */
  readonly info: Uint8Array;
  /** Tracker announce URLs; none for a trackerless (DHT/magnet) torrent. */
  readonly announce?: readonly string[];
  /** `created by`; absent: no such key (libtorrent's create_torrent writes none). */
  readonly createdBy?: string;
  /** `encoding` (transmission-create writes "UTF-8"). */
  readonly encoding?: string;
  /** UTC ms; written as whole seconds (the `creation date` convention). */
  readonly creationDate?: number;
  readonly comment?: string;
  /** BEP 52 `piece layers` of a hybrid/v2 torrent (pieces root as latin1 -> layer); written after `info`. */
  readonly pieceLayers?: ReadonlyMap<string, Uint8Array>;
}

const INFO_KEY = new TextEncoder().encode('4:info');

/**
 * A .torrent file. `announce` is the first tracker and `announce-list` has one tier
 * per tracker (BEP 12), so clients try them all. The info dictionary is appended as
 * the exact given bytes, not re-encoded, so the file's infohash is ours by
 * construction. That keeps the file canonical because "info" sorts after every other
 * key written here (announce, announce-list, comment, created by, creation date, encoding).
 */
export function buildTorrentFile(p: TorrentFileParams): Uint8Array {
  try {
    if (!isDict(decode(p.info, METAINFO_LIMITS))) throw new MetainfoError('info is not a bencoded dictionary');
  } catch (err) {
    if (err instanceof BencodeError) throw new MetainfoError(`info is not valid bencode: ${err.message}`);
    throw err;
  }
  const trackers = checkTrackers(p.announce ?? []);
  if (p.creationDate !== undefined && (!Number.isSafeInteger(p.creationDate) || p.creationDate < 0)) {
    throw new MetainfoError(`creation date must be UTC ms, got ${p.creationDate}`);
  }
  const head = encode({
    announce: trackers[0],
    'announce-list': trackers.length > 0 ? trackers.map((t) => [t]) : undefined,
    comment: p.comment,
    'created by': p.createdBy,
    'creation date': p.creationDate === undefined ? undefined : Math.floor(p.creationDate / 1000),
    encoding: p.encoding,
  });
  // "piece layers" sorts after "info": it follows the info bytes (BEP 52).
  const layers = p.pieceLayers && p.pieceLayers.size > 0 ? encode({ 'piece layers': p.pieceLayers }) : undefined;
  const after = layers ? layers.subarray(1, layers.length - 1) : new Uint8Array(0);
  // head is "d...e": drop its final "e", append "4:info" + info + [piece layers] + "e".
  const out = new Uint8Array(head.length - 1 + INFO_KEY.length + p.info.length + after.length + 1);
  out.set(head.subarray(0, head.length - 1), 0);
  out.set(INFO_KEY, head.length - 1);
  out.set(p.info, head.length - 1 + INFO_KEY.length);
  out.set(after, head.length - 1 + INFO_KEY.length + p.info.length);
  out[out.length - 1] = 0x65; // 'e'
  return out;
}

export function sha1(b: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha1').update(b).digest());
}

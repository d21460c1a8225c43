import type { BencodeLimits } from '../bencode/index.ts';

/** Largest .torrent file we read; real single-file torrents are KBs to a few MB. */
export const MAX_TORRENT_BYTES = 16 * 1024 * 1024;

/** Bencode limits for metainfo: long `pieces` strings, many announce URLs, shallow nesting. */
export const METAINFO_LIMITS: BencodeLimits = {
  maxDepth: 8,
  maxItems: 100_000,
  maxStringLength: MAX_TORRENT_BYTES,
};

import type { NewDecoy } from '../domain/decoy.ts';
import { infoHashToHex } from '../domain/info-hash.ts';
import type { Payload } from '../domain/payload.ts';
import type { PieceSource } from '../domain/piece-source.ts';
import { DecoyError } from './errors.ts';
import { buildInfo } from './metainfo.ts';
import type { NameRow } from './name-list.ts';
import { choosePieceLength } from './piece-length.ts';
import { PieceHashCache } from './piece-hashes.ts';

export interface BuildDecoysOptions {
  /** Share across calls so batches over one payload hash it once in all. */
  readonly hashCache?: PieceHashCache;
}

/**
 * One decoy per name row, all carrying `payload` as their content (issue 2): only
 * info.name differs, so every decoy has its own infohash but the same piece hashes,
 * computed once. The rows' optional `size` column is not used yet; size mimicry
 * (issue 3) will give each decoy its own PieceSource. The result is in row order, so
 * result[i] belongs to rows[i].
 */
export function buildDecoys(rows: readonly NameRow[], payload: Payload, source: PieceSource, opts: BuildDecoysOptions = {}): NewDecoy[] {
  if (source.length !== payload.size) {
    throw new DecoyError(`piece source is ${source.length} bytes but payload ${payload.id} is ${payload.size}`);
  }
  const seen = new Set<string>();
  for (const r of rows) {
    // Same name + same content = same infohash: two rows would be one torrent.
    if (seen.has(r.name)) throw new DecoyError(`duplicate decoy name on line ${r.line}: ${r.name}`);
    seen.add(r.name);
  }
  if (rows.length === 0) return [];
  const pieceLength = choosePieceLength(source.length);
  const cache = opts.hashCache ?? new PieceHashCache(1);
  const pieces = cache.get(payload.id, source, pieceLength);
  const pieceCount = pieces.length / 20;
  return rows.map((r) => {
    const { info, infoHash } = buildInfo({ name: r.name, pieceLength, length: source.length, pieces });
    return {
      infoHash: infoHashToHex(infoHash),
      name: r.name,
      payloadId: payload.id,
      size: source.length,
      pieceLength,
      pieceCount,
      info,
      // The content is the payload itself, so its SHA-256 is the payload id.
      contentSha256: payload.id,
    };
  });
}

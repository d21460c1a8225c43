import type { Decoy } from '../../domain/decoy.ts';
import type { Payload } from '../../domain/payload.ts';

/** Row <-> domain mapping for the SQLite store, kept apart from the SQL. */
type Row = Record<string, unknown>;
const num = (v: unknown) => Number(v);
const str = (v: unknown) => String(v);

export const payloadFromRow = (r: Row): Payload => ({
  id: str(r.id), size: num(r.size), label: str(r.label), mediaType: str(r.media_type), addedAt: num(r.added_at),
});

export const decoyFromRow = (r: Row): Decoy => ({
  id: num(r.id), infoHash: str(r.info_hash), name: str(r.name), payloadId: str(r.payload_id), size: num(r.size),
  pieceLength: num(r.piece_length), pieceCount: num(r.piece_count), info: new Uint8Array(r.info as Uint8Array),
  contentSha256: str(r.content_sha256), status: str(r.status) as Decoy['status'], createdAt: num(r.created_at),
});

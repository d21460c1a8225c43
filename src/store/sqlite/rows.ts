import type { Decoy } from '../../domain/decoy.ts';
import type { DeliveryObservation, Encryption, TrackerAnnounceObservation } from '../../domain/observation.ts';
import type { Payload } from '../../domain/payload.ts';
import { formatRanges, parseRanges } from '../ranges.ts';

/** Row <-> domain mapping for the SQLite store, kept apart from the SQL. */
type Row = Record<string, unknown>;
const num = (v: unknown) => Number(v);
const str = (v: unknown) => String(v);
const optStr = (v: unknown) => (v === null || v === undefined ? null : String(v));
const optNum = (v: unknown) => (v === null || v === undefined ? null : Number(v));
const hex = (v: unknown) => Buffer.from(v as Uint8Array).toString('hex');

export const payloadFromRow = (r: Row): Payload => ({
  id: str(r.id), size: num(r.size), label: str(r.label), mediaType: str(r.media_type), addedAt: num(r.added_at),
});

export const decoyFromRow = (r: Row): Decoy => ({
  id: num(r.id), infoHash: str(r.info_hash), name: str(r.name), payloadId: str(r.payload_id), size: num(r.size),
  pieceLength: num(r.piece_length), pieceCount: num(r.piece_count), info: new Uint8Array(r.info as Uint8Array),
  contentSha256: str(r.content_sha256), status: str(r.status) as Decoy['status'], createdAt: num(r.created_at),
});

export function deliveryToParams(d: DeliveryObservation): Record<string, string | number | null | Uint8Array> {
  return {
    $session_id: d.sessionId, $decoy_id: d.decoyId, $remote_ip: d.remoteIp, $remote_port: d.remotePort,
    $local_ip: d.localIp, $local_port: d.localPort, $transport: d.transport, $encryption: d.encryption,
    $started_at: d.startedAt, $ended_at: d.endedAt, $peer_id: Buffer.from(d.peerId, 'hex'), $client: d.client,
    $client_version: d.clientVersion, $listen_port: d.listenPort, $bytes_served: d.bytesServed,
    $blocks_served: d.blocksServed, $served_ranges: formatRanges(d.servedRanges), $pieces_at_start: d.peerPiecesAtStart,
    $pieces_at_end: d.peerPiecesAtEnd, $completed: d.completed ? 1 : 0, $metadata_pieces: d.metadataPiecesServed,
    $metadata_only: d.metadataOnly ? 1 : 0, $disconnect_reason: d.disconnectReason,
  };
}

export const deliveryFromRow = (r: Row): DeliveryObservation & { infoHash: string } => ({
  kind: 'delivery', sessionId: str(r.session_id), decoyId: num(r.decoy_id), infoHash: str(r.info_hash),
  remoteIp: str(r.remote_ip), remotePort: num(r.remote_port), localIp: str(r.local_ip), localPort: num(r.local_port),
  transport: 'tcp', encryption: str(r.encryption) as Encryption, startedAt: num(r.started_at), endedAt: num(r.ended_at),
  peerId: hex(r.peer_id), client: optStr(r.client), clientVersion: optStr(r.client_version), listenPort: optNum(r.listen_port),
  bytesServed: num(r.bytes_served), blocksServed: num(r.blocks_served), servedRanges: parseRanges(str(r.served_ranges)),
  peerPiecesAtStart: optNum(r.pieces_at_start), peerPiecesAtEnd: optNum(r.pieces_at_end), completed: r.completed === 1 || r.completed === 1n,
  metadataPiecesServed: num(r.metadata_pieces), metadataOnly: r.metadata_only === 1 || r.metadata_only === 1n,
  disconnectReason: str(r.disconnect_reason),
});

/**
 * Announce byte counters as int64. Clients may send values SQLite cannot hold (Transmission sends
 * 2^64-1 for `left` before a magnet has its metadata): those are recorded as -1, "not representable".
 */
export function announceCounter(v: number): number | bigint {
  if (Number.isSafeInteger(v)) return v;
  if (Number.isFinite(v) && v >= 0 && v < 2 ** 63) return BigInt(Math.round(v));
  return -1;
}

export function announceToParams(a: TrackerAnnounceObservation): Record<string, string | number | bigint | null | Uint8Array> {
  return {
    $at: a.at, $protocol: a.protocol, $info_hash: a.infoHash, $decoy_id: a.decoyId, $remote_ip: a.remoteIp,
    $remote_port: a.remotePort, $claimed_ip: a.claimedIp, $announced_port: a.announcedPort,
    $peer_id: Buffer.from(a.peerId, 'hex'), $event: a.event, $uploaded: announceCounter(a.uploaded), $downloaded: announceCounter(a.downloaded), $left_bytes: announceCounter(a.left),
  };
}

export const announceFromRow = (r: Row): TrackerAnnounceObservation => ({
  kind: 'tracker-announce', at: num(r.at), protocol: str(r.protocol) as 'http' | 'udp', infoHash: str(r.info_hash),
  decoyId: optNum(r.decoy_id), remoteIp: str(r.remote_ip), remotePort: num(r.remote_port), claimedIp: optStr(r.claimed_ip),
  announcedPort: num(r.announced_port), peerId: hex(r.peer_id), event: str(r.event) as TrackerAnnounceObservation['event'],
  uploaded: num(r.uploaded), downloaded: num(r.downloaded), left: num(r.left_bytes),
});

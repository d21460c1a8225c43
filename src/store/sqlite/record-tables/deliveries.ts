import type { DeliveryObservation, Encryption } from '../../../domain/observation.ts';
import { formatRanges, parseRanges } from '../../ranges.ts';
import { bool, hexOf, int, optInt, optText, text, type RecordTable } from './record-table.ts';

/** deliveries (core-001, info_hash from core-003). */
export const DELIVERIES: RecordTable<DeliveryObservation> = {
  kind: 'delivery',
  table: 'deliveries',
  columns: [
    'session_id', 'decoy_id', 'info_hash', 'remote_ip', 'remote_port', 'local_ip', 'local_port', 'transport', 'encryption',
    'started_at', 'ended_at', 'peer_id', 'client', 'client_version', 'listen_port', 'bytes_served', 'blocks_served',
    'served_ranges', 'pieces_at_start', 'pieces_at_end', 'completed', 'metadata_pieces', 'metadata_only', 'disconnect_reason',
  ],
  timeColumn: 'started_at',
  timeField: 'startedAt',
  ipColumn: 'remote_ip',
  decoyColumn: 'decoy_id',
  toRow: (d) => [
    d.sessionId, d.decoyId, d.infoHash, d.remoteIp, d.remotePort, d.localIp, d.localPort, d.transport, d.encryption,
    d.startedAt, d.endedAt, Buffer.from(d.peerId, 'hex'), d.client, d.clientVersion, d.listenPort, d.bytesServed, d.blocksServed,
    formatRanges(d.servedRanges), d.peerPiecesAtStart, d.peerPiecesAtEnd, d.completed ? 1 : 0, d.metadataPiecesServed,
    d.metadataOnly ? 1 : 0, d.disconnectReason,
  ],
  fields: (r) => ({
    blocksServed: int(r[16]), bytesServed: int(r[15]), client: optText(r[12]), clientVersion: optText(r[13]),
    completed: bool(r[20]), decoyId: int(r[1]), disconnectReason: text(r[23]), encryption: text(r[8]) as Encryption,
    endedAt: int(r[10]), infoHash: text(r[2]), listenPort: optInt(r[14]), localIp: text(r[5]), localPort: int(r[6]),
    metadataOnly: bool(r[22]), metadataPiecesServed: int(r[21]), peerId: hexOf(r[11]), peerPiecesAtEnd: optInt(r[19]),
    peerPiecesAtStart: optInt(r[18]), remoteIp: text(r[3]), remotePort: int(r[4]), servedRanges: parseRanges(text(r[17])),
    sessionId: text(r[0]), startedAt: int(r[9]), transport: text(r[7]) as 'tcp',
  }),
};

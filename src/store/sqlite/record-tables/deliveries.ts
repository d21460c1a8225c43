import type { DeliveryObservation } from '../../../domain/observation.ts';
import { BOOL, HEX_BLOB, INT, OPT_CONTENT_ID, OPT_INT, OPT_NETWORK, OPT_TEXT, RANGES, TEXT } from './field-types.ts';
import type { RecordTable } from './record-table.ts';

/** deliveries (core-001; info_hash from core-003). */
export const DELIVERIES: RecordTable<DeliveryObservation> = {
  kind: 'delivery',
  table: 'deliveries',
  fields: [
    { name: 'blocksServed', column: 'blocks_served', type: INT },
    { name: 'bytesServed', column: 'bytes_served', type: INT },
    { name: 'client', column: 'client', type: OPT_TEXT },
    { name: 'clientVersion', column: 'client_version', type: OPT_TEXT },
    { name: 'completed', column: 'completed', type: BOOL },
    { name: 'contentId', column: 'content_id', type: OPT_CONTENT_ID, since: 2 },
    { name: 'decoyId', column: 'decoy_id', type: INT },
    { name: 'disconnectReason', column: 'disconnect_reason', type: TEXT },
    { name: 'encryption', column: 'encryption', type: TEXT },
    { name: 'endedAt', column: 'ended_at', type: INT },
    { name: 'infoHash', column: 'info_hash', type: TEXT },
    { name: 'listenPort', column: 'listen_port', type: OPT_INT },
    { name: 'localIp', column: 'local_ip', type: TEXT },
    { name: 'localPort', column: 'local_port', type: INT },
    { name: 'metadataOnly', column: 'metadata_only', type: BOOL },
    { name: 'metadataPiecesServed', column: 'metadata_pieces', type: INT },
    { name: 'network', column: 'network', type: OPT_NETWORK, since: 2 },
    { name: 'peerId', column: 'peer_id', type: HEX_BLOB },
    { name: 'peerPiecesAtEnd', column: 'pieces_at_end', type: OPT_INT },
    { name: 'peerPiecesAtStart', column: 'pieces_at_start', type: OPT_INT },
    { name: 'remoteIp', column: 'remote_ip', type: TEXT },
    { name: 'remotePort', column: 'remote_port', type: INT },
    { name: 'servedRanges', column: 'served_ranges', type: RANGES },
    { name: 'sessionId', column: 'session_id', type: TEXT },
    { name: 'startedAt', column: 'started_at', type: INT },
    { name: 'transport', column: 'transport', type: TEXT },
  ],
  timeField: 'startedAt',
  ipField: 'remoteIp',
  decoyField: 'decoyId',
};

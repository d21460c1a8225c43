import type { SessionProgressObservation } from '../../../domain/observation.ts';
import { HEX_BLOB, INT, OPT_CONTENT_ID, OPT_INT, OPT_NETWORK, OPT_TEXT, RANGES, TEXT } from './field-types.ts';
import type { RecordTable } from './record-table.ts';

/** session_progress (sessions-001): open sessions' state, so a kill -9 loses at most one interval. */
export const SESSION_PROGRESS: RecordTable<SessionProgressObservation> = {
  kind: 'session-progress',
  table: 'session_progress',
  fields: [
    { name: 'at', column: 'at', type: INT },
    { name: 'blocksServed', column: 'blocks_served', type: INT },
    { name: 'bytesServed', column: 'bytes_served', type: INT },
    { name: 'client', column: 'client', type: OPT_TEXT },
    { name: 'clientVersion', column: 'client_version', type: OPT_TEXT },
    { name: 'contentId', column: 'content_id', type: OPT_CONTENT_ID, since: 2 },
    { name: 'decoyId', column: 'decoy_id', type: INT },
    { name: 'encryption', column: 'encryption', type: TEXT },
    { name: 'infoHash', column: 'info_hash', type: TEXT },
    { name: 'listenPort', column: 'listen_port', type: OPT_INT },
    { name: 'localIp', column: 'local_ip', type: TEXT },
    { name: 'localPort', column: 'local_port', type: INT },
    { name: 'metadataPiecesServed', column: 'metadata_pieces', type: INT },
    { name: 'network', column: 'network', type: OPT_NETWORK, since: 2 },
    { name: 'newRanges', column: 'new_ranges', type: RANGES },
    { name: 'peerId', column: 'peer_id', type: HEX_BLOB },
    { name: 'peerPieces', column: 'peer_pieces', type: OPT_INT },
    { name: 'phase', column: 'phase', type: TEXT },
    { name: 'progressAt', column: 'progress_at', type: INT },
    { name: 'remoteIp', column: 'remote_ip', type: TEXT },
    { name: 'remotePort', column: 'remote_port', type: INT },
    { name: 'sessionId', column: 'session_id', type: TEXT },
    { name: 'startedAt', column: 'started_at', type: INT },
  ],
  timeField: 'at',
  ipField: 'remoteIp',
  decoyField: 'decoyId',
};

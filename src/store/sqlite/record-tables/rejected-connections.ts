import type { RejectedConnectionObservation } from '../../../domain/observation.ts';
import { INT, OPT_CONTENT_ID, OPT_NETWORK, OPT_TEXT, TEXT } from './field-types.ts';
import type { RecordTable } from './record-table.ts';

/** rejected_connections (core-001). */
export const REJECTED_CONNECTIONS: RecordTable<RejectedConnectionObservation> = {
  kind: 'rejected-connection',
  table: 'rejected_connections',
  fields: [
    { name: 'at', column: 'at', type: INT },
    { name: 'contentId', column: 'content_id', type: OPT_CONTENT_ID, since: 2 },
    { name: 'infoHash', column: 'info_hash', type: OPT_TEXT },
    { name: 'network', column: 'network', type: OPT_NETWORK, since: 2 },
    { name: 'reason', column: 'reason', type: TEXT },
    { name: 'remoteIp', column: 'remote_ip', type: TEXT },
    { name: 'remotePort', column: 'remote_port', type: INT },
  ],
  timeField: 'at',
  ipField: 'remoteIp',
};

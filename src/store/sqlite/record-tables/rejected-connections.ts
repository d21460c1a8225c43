import type { RejectedConnectionObservation } from '../../../domain/observation.ts';
import { INT, OPT_TEXT, TEXT } from './field-types.ts';
import type { RecordTable } from './record-table.ts';

/** rejected_connections (core-001). */
export const REJECTED_CONNECTIONS: RecordTable<RejectedConnectionObservation> = {
  kind: 'rejected-connection',
  table: 'rejected_connections',
  fields: [
    { name: 'at', column: 'at', type: INT },
    { name: 'infoHash', column: 'info_hash', type: OPT_TEXT },
    { name: 'reason', column: 'reason', type: TEXT },
    { name: 'remoteIp', column: 'remote_ip', type: TEXT },
    { name: 'remotePort', column: 'remote_port', type: INT },
  ],
  timeField: 'at',
  ipField: 'remoteIp',
};

import type { RejectedConnectionObservation } from '../../../domain/observation.ts';
import { int, optText, text, type RecordTable } from './record-table.ts';

/** rejected_connections (core-001). */
export const REJECTED_CONNECTIONS: RecordTable<RejectedConnectionObservation> = {
  kind: 'rejected-connection',
  table: 'rejected_connections',
  columns: ['at', 'remote_ip', 'remote_port', 'info_hash', 'reason'],
  timeColumn: 'at',
  timeField: 'at',
  ipColumn: 'remote_ip',
  toRow: (o) => [o.at, o.remoteIp, o.remotePort, o.infoHash, o.reason],
  fields: (r) => ({ at: int(r[0]), infoHash: optText(r[3]), reason: text(r[4]), remoteIp: text(r[1]), remotePort: int(r[2]) }),
};

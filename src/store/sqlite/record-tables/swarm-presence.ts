import type { SwarmPresenceObservation } from '../../../domain/observation.ts';
import { INT, OPT_CONTENT_ID, OPT_INT, OPT_NETWORK, TEXT } from './field-types.ts';
import type { RecordTable } from './record-table.ts';

/** swarm_presence (dht-001): DHT evidence, weaker than a delivery. */
export const SWARM_PRESENCE: RecordTable<SwarmPresenceObservation> = {
  kind: 'swarm-presence',
  table: 'swarm_presence',
  fields: [
    { name: 'at', column: 'at', type: INT },
    { name: 'contentId', column: 'content_id', type: OPT_CONTENT_ID, since: 2 },
    { name: 'decoyId', column: 'decoy_id', type: OPT_INT },
    { name: 'infoHash', column: 'info_hash', type: TEXT },
    { name: 'localIp', column: 'local_ip', type: TEXT },
    { name: 'network', column: 'network', type: OPT_NETWORK, since: 2 },
    { name: 'remoteIp', column: 'remote_ip', type: TEXT },
    { name: 'remotePort', column: 'remote_port', type: INT },
    { name: 'source', column: 'source', type: TEXT },
    { name: 'strength', column: 'strength', type: TEXT },
  ],
  timeField: 'at',
  ipField: 'remoteIp',
  decoyField: 'decoyId',
};

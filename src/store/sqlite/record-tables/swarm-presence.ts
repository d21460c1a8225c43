import type { SwarmPresenceObservation } from '../../../domain/observation.ts';
import { int, optInt, text, type RecordTable } from './record-table.ts';

/** swarm_presence (dht-001): DHT evidence, weaker than a delivery. */
export const SWARM_PRESENCE: RecordTable<SwarmPresenceObservation> = {
  kind: 'swarm-presence',
  table: 'swarm_presence',
  columns: ['at', 'strength', 'source', 'info_hash', 'decoy_id', 'remote_ip', 'remote_port', 'local_ip'],
  timeColumn: 'at',
  timeField: 'at',
  ipColumn: 'remote_ip',
  decoyColumn: 'decoy_id',
  toRow: (o) => [o.at, o.strength, o.source, o.infoHash, o.decoyId, o.remoteIp, o.remotePort, o.localIp],
  fields: (r) => ({
    at: int(r[0]), decoyId: optInt(r[4]), infoHash: text(r[3]), localIp: text(r[7]), remoteIp: text(r[5]),
    remotePort: int(r[6]), source: text(r[2]) as SwarmPresenceObservation['source'], strength: text(r[1]) as 'weak',
  }),
};

import type { TrackerAnnounceObservation } from '../../../domain/observation.ts';
import { COUNTER, HEX_BLOB, INT, OPT_CONTENT_ID, OPT_INT, OPT_NETWORK, OPT_TEXT, TEXT } from './field-types.ts';
import type { RecordTable } from './record-table.ts';

/** tracker_announces (core-001). Byte counters beyond 2^53 - 1 are stored as -1 (evidenceCounter). */
export const TRACKER_ANNOUNCES: RecordTable<TrackerAnnounceObservation> = {
  kind: 'tracker-announce',
  table: 'tracker_announces',
  fields: [
    { name: 'announcedPort', column: 'announced_port', type: INT },
    { name: 'at', column: 'at', type: INT },
    { name: 'claimedIp', column: 'claimed_ip', type: OPT_TEXT },
    { name: 'contentId', column: 'content_id', type: OPT_CONTENT_ID, since: 2 },
    { name: 'decoyId', column: 'decoy_id', type: OPT_INT },
    { name: 'downloaded', column: 'downloaded', type: COUNTER },
    { name: 'event', column: 'event', type: TEXT },
    { name: 'infoHash', column: 'info_hash', type: TEXT },
    { name: 'left', column: 'left_bytes', type: COUNTER },
    { name: 'network', column: 'network', type: OPT_NETWORK, since: 2 },
    { name: 'peerId', column: 'peer_id', type: HEX_BLOB },
    { name: 'protocol', column: 'protocol', type: TEXT },
    { name: 'remoteIp', column: 'remote_ip', type: TEXT },
    { name: 'remotePort', column: 'remote_port', type: INT },
    { name: 'uploaded', column: 'uploaded', type: COUNTER },
  ],
  timeField: 'at',
  ipField: 'remoteIp',
  decoyField: 'decoyId',
};

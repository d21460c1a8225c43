import { evidenceCounter, type TrackerAnnounceObservation } from '../../../domain/observation.ts';
import { hexOf, int, optInt, optText, text, type RecordTable } from './record-table.ts';

/** tracker_announces (core-001). Byte counters beyond 2^53 - 1 are stored as -1 (evidenceCounter). */
export const TRACKER_ANNOUNCES: RecordTable<TrackerAnnounceObservation> = {
  kind: 'tracker-announce',
  table: 'tracker_announces',
  columns: [
    'at', 'protocol', 'info_hash', 'decoy_id', 'remote_ip', 'remote_port', 'claimed_ip', 'announced_port', 'peer_id', 'event',
    'uploaded', 'downloaded', 'left_bytes',
  ],
  timeColumn: 'at',
  timeField: 'at',
  ipColumn: 'remote_ip',
  decoyColumn: 'decoy_id',
  toRow: (a) => [
    a.at, a.protocol, a.infoHash, a.decoyId, a.remoteIp, a.remotePort, a.claimedIp, a.announcedPort, Buffer.from(a.peerId, 'hex'),
    a.event, evidenceCounter(a.uploaded), evidenceCounter(a.downloaded), evidenceCounter(a.left),
  ],
  fields: (r) => ({
    announcedPort: int(r[7]), at: int(r[0]), claimedIp: optText(r[6]), decoyId: optInt(r[3]), downloaded: int(r[11]),
    event: text(r[9]) as TrackerAnnounceObservation['event'], infoHash: text(r[2]), left: int(r[12]), peerId: hexOf(r[8]), protocol: text(r[1]) as TrackerAnnounceObservation['protocol'],
    remoteIp: text(r[4]), remotePort: int(r[5]), uploaded: int(r[10]),
  }),
};

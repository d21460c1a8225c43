import { btihContentId } from '../domain/content-id.ts';
import { isInfoHashHex } from '../domain/info-hash.ts';
import type { Observation } from '../domain/observation.ts';

/**
 * The BitTorrent adapter's observations about content, stamped with their network and the
 * network-neutral content id of the infohash they name (`btih:<hex>`; issue 16, item 3), which
 * makes their records schema v2. Decoys are served on their v1 infohash (hybrids too), so btih is
 * the content id of every BitTorrent observation today. Aggregates are left as they are: their
 * `network` is the source address prefix, and they name no content.
 */
export function stampBitTorrent(o: Observation): Observation {
  switch (o.kind) {
    case 'delivery': case 'session-progress': case 'tracker-announce': case 'swarm-presence': case 'rejected-connection':
      return { ...o, network: 'bittorrent', contentId: o.infoHash !== null && isInfoHashHex(o.infoHash) ? btihContentId(o.infoHash) : null };
    default:
      return o;
  }
}

import type { DatabaseSync } from 'node:sqlite';
import type { SwarmPresenceObservation } from '../../domain/observation.ts';
import { codecOf } from './record-tables/registry.ts';

/** Swarm-presence rows are written by the store (record-tables/swarm-presence.ts); this reads them. */
export function querySwarmPresence(db: DatabaseSync, q: { infoHash?: string; ip?: string; limit?: number } = {}): SwarmPresenceObservation[] {
  const where: string[] = [];
  const args: (string | number)[] = [];
  if (q.infoHash) { where.push('info_hash = ?'); args.push(q.infoHash); }
  if (q.ip) { where.push('remote_ip = ?'); args.push(q.ip); }
  return codecOf('swarm-presence').query(db, where.join(' AND '), args, 'at, id', q.limit ?? -1) as unknown as SwarmPresenceObservation[];
}

import type { DatabaseSync } from 'node:sqlite';
import type { Observation, SwarmPresenceObservation } from '../../domain/observation.ts';
import type { SqliteStore } from './sqlite-store.ts';

/**
 * Writes swarm-presence observations inside the store's observation transaction (its append hook),
 * so a batch with DHT evidence is still all-or-nothing. Returns the hook's remover.
 */
export function installSwarmPresenceWriter(store: SqliteStore): () => void {
  const ins = store.database.prepare(`INSERT INTO swarm_presence (at, strength, source, info_hash, decoy_id, remote_ip, remote_port, local_ip)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
  return store.addAppendHook((batch: readonly Observation[]) => {
    for (const o of batch) {
      if (o.kind !== 'swarm-presence') continue;
      ins.run(o.at, o.strength, o.source, o.infoHash, o.decoyId, o.remoteIp, o.remotePort, o.localIp);
    }
  });
}

export function querySwarmPresence(db: DatabaseSync, q: { infoHash?: string; ip?: string; limit?: number } = {}): SwarmPresenceObservation[] {
  const where: string[] = [];
  const args: (string | number)[] = [];
  if (q.infoHash) { where.push('info_hash = ?'); args.push(q.infoHash); }
  if (q.ip) { where.push('remote_ip = ?'); args.push(q.ip); }
  const sql = `SELECT * FROM swarm_presence ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY at, id LIMIT ?`;
  return db.prepare(sql).all(...args, q.limit ?? -1).map((r) => ({
    kind: 'swarm-presence' as const, at: Number(r.at), strength: 'weak' as const,
    source: String(r.source) as SwarmPresenceObservation['source'], infoHash: String(r.info_hash),
    decoyId: r.decoy_id === null ? null : Number(r.decoy_id), remoteIp: String(r.remote_ip),
    remotePort: Number(r.remote_port), localIp: String(r.local_ip),
  }));
}

import type { DatabaseSync } from 'node:sqlite';
import type { DossierAnnounce, DossierDelivery, DossierPresence } from '../../intelligence.ts';

/** The evidence log sequence number of row `col` of `kind` (evidence_runs: record first_seq + k is row first_row_id + k). */
const seqOf = (kind: string, col: string) => `(SELECT r.first_seq + (${col} - r.first_row_id) FROM evidence_runs r
  WHERE r.kind = '${kind}' AND r.first_row_id = (SELECT MAX(first_row_id) FROM evidence_runs WHERE kind = '${kind}' AND first_row_id <= ${col})
  AND ${col} < r.first_row_id + r.count)`;

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

export function dossierDeliveries(db: DatabaseSync, ip: string, limit: number): DossierDelivery[] {
  return db.prepare(`SELECT d.*, k.name AS decoy_name, ${seqOf('delivery', 'd.id')} AS seq FROM deliveries d LEFT JOIN decoys k ON k.id = d.decoy_id
    WHERE d.remote_ip = ? ORDER BY d.started_at, d.id LIMIT ?`).all(ip, limit).map((r) => ({
    id: Number(r.id), startedAt: Number(r.started_at), endedAt: Number(r.ended_at), decoyId: Number(r.decoy_id), decoyName: String(r.decoy_name ?? '?'),
    remotePort: Number(r.remote_port), listenPort: num(r.listen_port), bytes: Number(r.bytes_served), completed: r.completed === 1, metadataOnly: r.metadata_only === 1,
    client: r.client === null ? null : String(r.client), peerId: Buffer.from(r.peer_id as Uint8Array).toString('hex'), disconnectReason: String(r.disconnect_reason),
    evidenceSeq: num(r.seq),
  }));
}

export function dossierAnnounces(db: DatabaseSync, ip: string, limit: number): DossierAnnounce[] {
  return db.prepare(`SELECT a.*, ${seqOf('tracker-announce', 'a.id')} AS seq FROM tracker_announces a WHERE a.remote_ip = ? ORDER BY a.at, a.id LIMIT ?`).all(ip, limit).map((r) => ({
    id: Number(r.id), at: Number(r.at), infoHash: String(r.info_hash), decoyId: num(r.decoy_id), port: Number(r.announced_port), event: String(r.event), left: Number(r.left_bytes),
    evidenceSeq: num(r.seq),
  }));
}

export function dossierPresence(db: DatabaseSync, ip: string, limit: number): DossierPresence[] {
  return db.prepare(`SELECT p.*, ${seqOf('swarm-presence', 'p.id')} AS seq FROM swarm_presence p WHERE p.remote_ip = ? ORDER BY p.at, p.id LIMIT ?`).all(ip, limit).map((r) => ({
    at: Number(r.at), decoyId: num(r.decoy_id), source: String(r.source), port: Number(r.remote_port), evidenceSeq: num(r.seq),
  }));
}

export function lastActivityAt(db: DatabaseSync): number | undefined {
  // From the rollup (kept current by refreshIntel): MAX(ended_at) over deliveries has no index and reads every row.
  const r = db.prepare('SELECT MAX(last_seen) AS m FROM intel_ip_activity').get();
  return r?.m === null || r?.m === undefined ? undefined : Number(r.m);
}

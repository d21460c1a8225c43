import type { DatabaseSync } from 'node:sqlite';
import type { DossierAnnounce, DossierDelivery, DossierPresence, DossierRecords } from '../../intelligence.ts';

/** The evidence log sequence number of row `col` of `kind` (evidence_runs: record first_seq + k is row first_row_id + k). */
const seqOf = (kind: string, col: string) => `(SELECT r.first_seq + (${col} - r.first_row_id) FROM evidence_runs r
  WHERE r.kind = '${kind}' AND r.first_row_id = (SELECT MAX(first_row_id) FROM evidence_runs WHERE kind = '${kind}' AND first_row_id <= ${col})
  AND ${col} < r.first_row_id + r.count)`;

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

/**
 * The three record sections of a dossier in one statement: a UNION ALL of the three per-address
 * index reads, in columns named for no table in particular (one round trip on PostgreSQL instead
 * of three; issue 11: dossier p95 <= 50 ms). Column by section (d = delivery, a = announce, p = swarm presence):
 *   t: started_at | at | at;  t2: ended_at;  decoy: decoy_id;  txt: decoy name | info_hash | source;
 *   port: remote_port | announced_port | remote_port;  port2: listen_port;  n: bytes_served | left_bytes;
 *   f1, f2: completed, metadata_only;  txt2: client | event;  peer: peer_id;  txt3: disconnect_reason.
 * The NULLs are cast: PostgreSQL types a bare NULL in a subquery as text, and a UNION then refuses it beside bigint.
 */
export function dossierRecords(db: DatabaseSync, ip: string, limit: number): DossierRecords {
  const rows = db.prepare(`SELECT * FROM (SELECT 'd' AS s, d.id AS id, d.started_at AS t, d.ended_at AS t2, d.decoy_id AS decoy, k.name AS txt, d.remote_port AS port,
        d.listen_port AS port2, d.bytes_served AS n, d.completed AS f1, d.metadata_only AS f2, d.client AS txt2, d.peer_id AS peer, d.disconnect_reason AS txt3,
        ${seqOf('delivery', 'd.id')} AS seq
      FROM deliveries d LEFT JOIN decoys k ON k.id = d.decoy_id WHERE d.remote_ip = ? ORDER BY d.started_at, d.id LIMIT ?) x
    UNION ALL
    SELECT * FROM (SELECT 'a', a.id, a.at, CAST(NULL AS BIGINT), a.decoy_id, a.info_hash, a.announced_port, CAST(NULL AS BIGINT), a.left_bytes, CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), a.event, CAST(NULL AS BYTEA), CAST(NULL AS TEXT),
        ${seqOf('tracker-announce', 'a.id')}
      FROM tracker_announces a WHERE a.remote_ip = ? ORDER BY a.at, a.id LIMIT ?) y
    UNION ALL
    SELECT * FROM (SELECT 'p', p.id, p.at, CAST(NULL AS BIGINT), p.decoy_id, p.source, p.remote_port, CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), CAST(NULL AS TEXT), CAST(NULL AS BYTEA), CAST(NULL AS TEXT),
        ${seqOf('swarm-presence', 'p.id')}
      FROM swarm_presence p WHERE p.remote_ip = ? ORDER BY p.at, p.id LIMIT ?) z
    ORDER BY 1, 3, 2`).all(ip, limit, ip, limit, ip, limit);
  const out: { deliveries: DossierDelivery[]; announces: DossierAnnounce[]; presence: DossierPresence[] } = { deliveries: [], announces: [], presence: [] };
  for (const r of rows) {
    if (r.s === 'd') {
      out.deliveries.push({
        id: Number(r.id), startedAt: Number(r.t), endedAt: Number(r.t2), decoyId: Number(r.decoy), decoyName: String(r.txt ?? '?'),
        remotePort: Number(r.port), listenPort: num(r.port2), bytes: Number(r.n), completed: Number(r.f1) === 1, metadataOnly: Number(r.f2) === 1,
        client: r.txt2 === null ? null : String(r.txt2), peerId: Buffer.from(r.peer as Uint8Array).toString('hex'), disconnectReason: String(r.txt3),
        evidenceSeq: num(r.seq),
      });
    } else if (r.s === 'a') {
      out.announces.push({ id: Number(r.id), at: Number(r.t), infoHash: String(r.txt), decoyId: num(r.decoy), port: Number(r.port), event: String(r.txt2), left: Number(r.n), evidenceSeq: num(r.seq) });
    } else {
      out.presence.push({ at: Number(r.t), decoyId: num(r.decoy), source: String(r.txt), port: Number(r.port), evidenceSeq: num(r.seq) });
    }
  }
  return out;
}

export function lastActivityAt(db: DatabaseSync): number | undefined {
  // From the rollup (kept current by refreshIntel): MAX(ended_at) over deliveries has no index and reads every row.
  const r = db.prepare('SELECT MAX(last_seen) AS m FROM intel_ip_activity').get();
  return r?.m === null || r?.m === undefined ? undefined : Number(r.m);
}

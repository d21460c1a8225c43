import type { DatabaseSync } from 'node:sqlite';
import { UNKNOWN, type ActivityRow, type DecoyLifetime, type DeviceEstimate, type DimensionRow, type IntelFilter, type IpDimension, type Period } from '../../intelligence.ts';
import type { IntelDialect } from './intel-dialect.ts';
import { placeKey } from './place-keys.ts';
import { deliveryFilter, dimsFilter } from './sql-parts.ts';

const rows = (db: DatabaseSync, sql: string, args: (string | number)[]) => db.prepare(sql).all(...args);
/** A count of rows meeting `cond` (SUM over a comparison is SQLite-only). */
const countIf = (cond: string) => `SUM(CASE WHEN ${cond} THEN 1 ELSE 0 END)`;

export type AreaRow = { country: string; countyNumber: string | null; countyName: string | null; ips: number };

/**
 * The public map's place of an address from its current assessment `g` (an intel_ip_geo row,
 * LEFT JOINed): country, and the county in Norway only. THE one definition, for the plain query
 * below and the rollup's (Rollups.uniqueIpsByArea), so the two always agree; `n` is the count.
 */
export const AREA_COLUMNS = `${placeKey('country').key} AS c, CASE WHEN g.country = 'NO' THEN g.county_no END AS k, MAX(g.county_name) AS name`;
export const areaRow = (r: Record<string, unknown>): AreaRow =>
  ({ country: String(r.c), countyNumber: r.k === null ? null : String(r.k), countyName: r.name === null ? null : String(r.name), ips: Number(r.n) });

/** The plain statistics queries: straight over deliveries with their indexes, no precomputation (the rollups' reference). */
export class StatsQueries {
  readonly #db: DatabaseSync;
  readonly #sql: IntelDialect;
  constructor(db: DatabaseSync, dialect: IntelDialect) { this.#db = db; this.#sql = dialect; }

  activity(f: IntelFilter, period: Period): ActivityRow[] {
    const p = deliveryFilter(f);
    return rows(this.#db, `SELECT ${this.#sql.bucketLabel('d.started_at', period)} AS b,
        ${countIf('d.metadata_only = 0')} AS n, ${countIf('d.metadata_only = 0 AND d.completed = 1')} AS c, SUM(d.bytes_served) AS bytes, SUM(d.metadata_only) AS meta,
        COUNT(DISTINCT CASE WHEN d.metadata_only = 0 THEN d.remote_ip END) AS ips
      FROM deliveries d ${p.join} WHERE ${p.where.join(' AND ')} GROUP BY 1 ORDER BY 1`, p.args)
      .map((r) => ({ bucket: String(r.b), deliveries: Number(r.n), completed: Number(r.c), bytes: Number(r.bytes), metadataOnly: Number(r.meta), uniqueIps: Number(r.ips) }));
  }

  uniqueIpsBy(f: IntelFilter, period: Period, dim: IpDimension): DimensionRow[] {
    const p = deliveryFilter(f);
    const d = dim === 'client' ? { key: `COALESCE(d.client, '${UNKNOWN}')`, label: 'NULL' } : placeKey(dim);
    const geo = dim === 'client' ? '' : 'LEFT JOIN intel_ips i ON i.ip = d.remote_ip LEFT JOIN intel_ip_geo g ON g.ip_id = i.ip_id';
    return rows(this.#db, `SELECT ${this.#sql.bucketLabel('d.started_at', period)} AS b, ${d.key} AS k, MAX(${d.label}) AS label, COUNT(DISTINCT d.remote_ip) AS n
      FROM deliveries d ${p.join} ${geo} WHERE ${p.where.join(' AND ')} AND d.metadata_only = 0 GROUP BY 1, 2 ORDER BY 1, 4 DESC, 2`, p.args)
      .map((r) => ({ bucket: String(r.b), key: String(r.k), label: r.label === null ? String(r.k) : String(r.label), ips: Number(r.n) }));
  }

  uniqueIpsByArea(f: IntelFilter): AreaRow[] {
    const p = deliveryFilter(f);
    return rows(this.#db, `SELECT ${AREA_COLUMNS}, COUNT(DISTINCT d.remote_ip) AS n
      FROM deliveries d ${p.join} LEFT JOIN intel_ips i ON i.ip = d.remote_ip LEFT JOIN intel_ip_geo g ON g.ip_id = i.ip_id
      WHERE ${p.where.join(' AND ')} AND d.metadata_only = 0 GROUP BY 1, 2 ORDER BY 1, 2`, p.args).map(areaRow);
  }

  decoyLifetimes(f: Omit<IntelFilter, 'from' | 'to'>): DecoyLifetime[] {
    const p = dimsFilter(f, 'm.decoy_id');
    return rows(this.#db, `SELECT m.decoy_id, m.published_at, m.retires_at, m.status FROM intel_decoy_dims m ${p.where.length ? `WHERE ${p.where.join(' AND ')}` : ''} ORDER BY m.decoy_id`, p.args)
      .map((r) => ({ decoyId: Number(r.decoy_id), publishedAt: Number(r.published_at), ...(r.retires_at !== null ? { retiresAt: Number(r.retires_at) } : {}), status: String(r.status) as DecoyLifetime['status'] }));
  }

  deviceEstimate(f: IntelFilter, top: number): DeviceEstimate {
    const p = deliveryFilter(f);
    const perIp = `SELECT d.remote_ip AS ip, COUNT(*) AS s, COUNT(DISTINCT d.peer_id) AS pids, COUNT(DISTINCT COALESCE(d.client_version, d.client, '')) AS cv,
        COUNT(DISTINCT d.listen_port) AS lp, COUNT(DISTINCT COALESCE(d.client_version, d.client, '') || ':' || COALESCE(CAST(d.listen_port AS TEXT), '')) AS cp
      FROM deliveries d ${p.join} WHERE ${p.where.join(' AND ')} AND d.metadata_only = 0 GROUP BY d.remote_ip`;
    const dist = this.#db.prepare(`SELECT ${countIf('cp = 1')} AS a, ${countIf('cp = 2')} AS b, ${countIf('cp BETWEEN 3 AND 5')} AS c, ${countIf('cp >= 6')} AS e FROM (${perIp}) x`).get(...p.args)!;
    const list = rows(this.#db, `${perIp} ORDER BY 6 DESC, 2 DESC, 1 LIMIT ?`, [...p.args, top])
      .map((r) => ({ ip: String(r.ip), sessions: Number(r.s), peerIds: Number(r.pids), clientVersions: Number(r.cv), listenPorts: Number(r.lp), clientPorts: Number(r.cp) }));
    return { distribution: [Number(dist.a ?? 0), Number(dist.b ?? 0), Number(dist.c ?? 0), Number(dist.e ?? 0)], top: list };
  }
}

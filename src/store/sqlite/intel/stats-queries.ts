import type { DatabaseSync } from 'node:sqlite';
import {
  NOT_ENRICHED, NOT_PLACEABLE, OUTSIDE_NORWAY, UNKNOWN,
  type ActivityRow, type DecoyLifetime, type DeviceEstimate, type DimensionRow, type IntelFilter, type IpDimension, type Period,
} from '../../intelligence.ts';
import { bucketSql, DAY_MS, deliveryFilter, dimsFilter } from './sql-parts.ts';

const q = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** The place key of an address's current assessment `g` (LEFT JOINed; NULL = never enriched). */
function placeKey(dim: 'country' | 'county' | 'municipality'): { key: string; label: string } {
  const pre = `CASE WHEN g.ip_id IS NULL THEN ${q(NOT_ENRICHED)} WHEN g.placeable = 0 THEN ${q(NOT_PLACEABLE)}`;
  if (dim === 'country') return { key: `${pre} ELSE COALESCE(g.country, ${q(UNKNOWN)}) END`, label: 'NULL' };
  const col = dim === 'county' ? 'g.county_no' : 'g.municipality_no';
  return {
    key: `${pre} WHEN g.country <> 'NO' THEN ${q(OUTSIDE_NORWAY)} ELSE COALESCE(${col}, ${q(UNKNOWN)}) END`,
    label: dim === 'county' ? 'MAX(g.county_name)' : 'MAX(g.municipality_name)',
  };
}

function dimension(dim: IpDimension): { key: string; label: string; geo: boolean } {
  switch (dim) {
    case 'client': return { key: `COALESCE(d.client, ${q(UNKNOWN)})`, label: 'NULL', geo: false };
    case 'asn': return { key: `CASE WHEN g.ip_id IS NULL THEN ${q(NOT_ENRICHED)} ELSE COALESCE(CAST(g.asn AS TEXT), ${q(UNKNOWN)}) END`, label: 'MAX(g.as_org)', geo: true };
    default: return { ...placeKey(dim), geo: true };
  }
}

const rows = (db: DatabaseSync, sql: string, args: (string | number)[]) => db.prepare(sql).all(...args);

/** The plain statistics queries: straight over deliveries with their indexes, no precomputation. */
export class StatsQueries {
  readonly #db: DatabaseSync;
  constructor(db: DatabaseSync) { this.#db = db; }

  activity(f: IntelFilter, period: Period): ActivityRow[] {
    const p = deliveryFilter(f);
    return rows(this.#db, `SELECT ${bucketSql('d.started_at', period)} AS b,
        SUM(d.metadata_only = 0) AS n, SUM(d.metadata_only = 0 AND d.completed = 1) AS c, SUM(d.bytes_served) AS bytes, SUM(d.metadata_only) AS meta,
        COUNT(DISTINCT CASE WHEN d.metadata_only = 0 THEN d.remote_ip END) AS ips
      FROM deliveries d ${p.join} WHERE ${p.where.join(' AND ')} GROUP BY b ORDER BY b`, p.args)
      .map((r) => ({ bucket: String(r.b), deliveries: Number(r.n), completed: Number(r.c), bytes: Number(r.bytes), metadataOnly: Number(r.meta), uniqueIps: Number(r.ips) }));
  }

  uniqueIpsBy(f: IntelFilter, period: Period, dim: IpDimension): DimensionRow[] {
    const p = deliveryFilter(f);
    const d = dimension(dim);
    const geo = d.geo ? 'LEFT JOIN intel_ips i ON i.ip = d.remote_ip LEFT JOIN intel_ip_geo g ON g.ip_id = i.ip_id' : '';
    return rows(this.#db, `SELECT ${bucketSql('d.started_at', period)} AS b, ${d.key} AS k, ${d.label} AS label, COUNT(DISTINCT d.remote_ip) AS n
      FROM deliveries d ${p.join} ${geo} WHERE ${p.where.join(' AND ')} AND d.metadata_only = 0 GROUP BY b, k ORDER BY b, n DESC, k`, p.args)
      .map((r) => ({ bucket: String(r.b), key: String(r.k), label: r.label === null ? String(r.k) : String(r.label), ips: Number(r.n) }));
  }

  uniqueIpsByArea(f: IntelFilter): { country: string; countyNumber: string | null; countyName: string | null; ips: number }[] {
    const p = deliveryFilter(f);
    const country = placeKey('country').key;
    return rows(this.#db, `SELECT ${country} AS c, CASE WHEN g.country = 'NO' THEN g.county_no END AS k, MAX(g.county_name) AS name, COUNT(DISTINCT d.remote_ip) AS n
      FROM deliveries d ${p.join} LEFT JOIN intel_ips i ON i.ip = d.remote_ip LEFT JOIN intel_ip_geo g ON g.ip_id = i.ip_id
      WHERE ${p.where.join(' AND ')} AND d.metadata_only = 0 GROUP BY c, k ORDER BY c, k`, p.args)
      .map((r) => ({ country: String(r.c), countyNumber: r.k === null ? null : String(r.k), countyName: r.name === null ? null : String(r.name), ips: Number(r.n) }));
  }

  weeklyIpsByMunicipalityRollup(from: number, to: number): DimensionRow[] {
    // Weeks are whole: a week counts when its Monday is in [from, to). Kept by intel-002's triggers.
    const first = Math.ceil(from / DAY_MS);
    const last = Math.ceil(to / DAY_MS);
    return rows(this.#db, `SELECT date(week_day * 86400, 'unixepoch') AS b, place AS k, label, ips AS n FROM intel_week_municipality
      WHERE week_day >= ? AND week_day < ? AND ips > 0 ORDER BY week_day, ips DESC, place`, [first, last])
      .map((r) => ({ bucket: String(r.b), key: String(r.k), label: String(r.label), ips: Number(r.n) }));
  }

  decoyLifetimes(f: Omit<IntelFilter, 'from' | 'to'>): DecoyLifetime[] {
    const p = dimsFilter(f, 'm.decoy_id');
    return rows(this.#db, `SELECT m.decoy_id, m.published_at, m.retires_at, m.status FROM intel_decoy_dims m ${p.where.length ? `WHERE ${p.where.join(' AND ')}` : ''} ORDER BY m.decoy_id`, p.args)
      .map((r) => ({ decoyId: Number(r.decoy_id), publishedAt: Number(r.published_at), ...(r.retires_at !== null ? { retiresAt: Number(r.retires_at) } : {}), status: String(r.status) as DecoyLifetime['status'] }));
  }

  deviceEstimate(f: IntelFilter, top: number): DeviceEstimate {
    const p = deliveryFilter(f);
    const perIp = `SELECT d.remote_ip AS ip, COUNT(*) AS s, COUNT(DISTINCT d.peer_id) AS pids, COUNT(DISTINCT COALESCE(d.client_version, d.client, '')) AS cv,
        COUNT(DISTINCT d.listen_port) AS lp, COUNT(DISTINCT COALESCE(d.client_version, d.client, '') || ':' || COALESCE(d.listen_port, '')) AS cp
      FROM deliveries d ${p.join} WHERE ${p.where.join(' AND ')} AND d.metadata_only = 0 GROUP BY d.remote_ip`;
    const dist = this.#db.prepare(`SELECT SUM(cp = 1) AS a, SUM(cp = 2) AS b, SUM(cp BETWEEN 3 AND 5) AS c, SUM(cp >= 6) AS e FROM (${perIp})`).get(...p.args)!;
    const list = rows(this.#db, `${perIp} ORDER BY cp DESC, s DESC, ip LIMIT ?`, [...p.args, top])
      .map((r) => ({ ip: String(r.ip), sessions: Number(r.s), peerIds: Number(r.pids), clientVersions: Number(r.cv), listenPorts: Number(r.lp), clientPorts: Number(r.cp) }));
    return { distribution: [Number(dist.a ?? 0), Number(dist.b ?? 0), Number(dist.c ?? 0), Number(dist.e ?? 0)], top: list };
  }
}

import type { DatabaseSync } from 'node:sqlite';
import { weekDaySql } from './sql-parts.ts';

/**
 * Rollups for the analysis queries that must stay fast over a year of deliveries (issue 11
 * benchmarks: weekly unique IPs by municipality <= 1 s, cohorts <= 5 s, where the plain queries
 * over 10 million rows take far longer). Extended from high-water marks on the record tables'
 * ids, so a refresh reads only what was added since the last one. Records are append-only, so
 * a row never changes after it has been rolled up.
 */
export class Rollups {
  readonly #db: DatabaseSync;
  constructor(db: DatabaseSync) { this.#db = db; }

  #mark(name: string): number {
    return Number(this.#db.prepare('SELECT last_id FROM intel_watermarks WHERE name = ?').get(name)?.last_id ?? 0);
  }

  refresh(): { deliveries: number; announces: number } {
    const db = this.#db;
    const wd = this.#mark('deliveries');
    const wa = this.#mark('announces');
    const topD = Number(db.prepare('SELECT COALESCE(MAX(id), 0) AS m FROM deliveries').get()!.m);
    const topA = Number(db.prepare('SELECT COALESCE(MAX(id), 0) AS m FROM tracker_announces').get()!.m);
    if (topD === wd && topA === wa) return { deliveries: 0, announces: 0 };
    db.exec('BEGIN IMMEDIATE');
    try {
      db.prepare('INSERT OR IGNORE INTO intel_ips (ip) SELECT DISTINCT remote_ip FROM deliveries WHERE id > ? AND id <= ?').run(wd, topD);
      db.prepare('INSERT OR IGNORE INTO intel_ips (ip) SELECT DISTINCT remote_ip FROM tracker_announces WHERE id > ? AND id <= ?').run(wa, topA);
      db.prepare(`INSERT OR IGNORE INTO intel_ip_week (week_day, ip_id)
        SELECT DISTINCT ${weekDaySql('d.started_at')}, i.ip_id FROM deliveries d JOIN intel_ips i ON i.ip = d.remote_ip
        WHERE d.id > ? AND d.id <= ? AND d.metadata_only = 0`).run(wd, topD);
      // Per address over the new deliveries: first/last time, first exposure (a completed delivery of
      // the warning, not metadata-only) and first unexposed contact, each with its decoy.
      db.prepare(`INSERT INTO intel_ip_activity (ip_id, first_seen, last_seen, first_exposure_at, first_exposure_decoy, first_contact_at, first_contact_decoy)
        SELECT i.ip_id, a.first_seen, a.last_seen, a.fx,
          (SELECT x.decoy_id FROM deliveries x WHERE x.remote_ip = a.remote_ip AND x.started_at = a.fx AND x.completed = 1 AND x.metadata_only = 0 ORDER BY x.id LIMIT 1),
          a.fc,
          (SELECT x.decoy_id FROM deliveries x WHERE x.remote_ip = a.remote_ip AND x.started_at = a.fc AND NOT (x.completed = 1 AND x.metadata_only = 0) ORDER BY x.id LIMIT 1)
        FROM (SELECT remote_ip, MIN(started_at) AS first_seen, MAX(ended_at) AS last_seen,
                MIN(CASE WHEN completed = 1 AND metadata_only = 0 THEN started_at END) AS fx,
                MIN(CASE WHEN NOT (completed = 1 AND metadata_only = 0) THEN started_at END) AS fc
              FROM deliveries WHERE id > ? AND id <= ? GROUP BY remote_ip) a
        JOIN intel_ips i ON i.ip = a.remote_ip
        WHERE true
        ON CONFLICT(ip_id) DO UPDATE SET
          first_seen = MIN(first_seen, excluded.first_seen), last_seen = MAX(last_seen, excluded.last_seen),
          first_exposure_decoy = CASE WHEN excluded.first_exposure_at < COALESCE(first_exposure_at, excluded.first_exposure_at + 1) THEN excluded.first_exposure_decoy ELSE first_exposure_decoy END,
          first_exposure_at = MIN(COALESCE(first_exposure_at, excluded.first_exposure_at), COALESCE(excluded.first_exposure_at, first_exposure_at)),
          first_contact_decoy = CASE WHEN excluded.first_contact_at < COALESCE(first_contact_at, excluded.first_contact_at + 1) THEN excluded.first_contact_decoy ELSE first_contact_decoy END,
          first_contact_at = MIN(COALESCE(first_contact_at, excluded.first_contact_at), COALESCE(excluded.first_contact_at, first_contact_at))`).run(wd, topD);
      // Announces count as being seen (a return), never as exposure or contact.
      db.prepare(`INSERT INTO intel_ip_activity (ip_id, first_seen, last_seen)
        SELECT i.ip_id, a.f, a.l FROM (SELECT remote_ip, MIN(at) AS f, MAX(at) AS l FROM tracker_announces WHERE id > ? AND id <= ? GROUP BY remote_ip) a
        JOIN intel_ips i ON i.ip = a.remote_ip
        WHERE true
        ON CONFLICT(ip_id) DO UPDATE SET first_seen = MIN(first_seen, excluded.first_seen), last_seen = MAX(last_seen, excluded.last_seen)`).run(wa, topA);
      const mark = db.prepare('INSERT INTO intel_watermarks (name, last_id) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET last_id = excluded.last_id');
      mark.run('deliveries', topD);
      mark.run('announces', topA);
      db.exec('COMMIT');
    } catch (e) {
      if (db.isTransaction) db.exec('ROLLBACK');
      throw e;
    }
    return { deliveries: topD - wd, announces: topA - wa };
  }
}

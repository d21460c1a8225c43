import type { DatabaseSync } from 'node:sqlite';
import type {
  Agency, CandidateQuery, ReferralCandidate, ReferralPackageRecord, ReferralStore, ReferredIp, RetentionRule, Unplaced,
} from '../../referrals.ts';

const DAY_MS = 86_400_000;

/**
 * The candidates statement (ReferralStore.candidates; its parameters are named there).
 *
 * Target (issue 13 benchmarks): API p95 <= 100 ms for /api/referrals/due. Each address's last
 * non-metadata-only delivery comes from the activity rollup (intel_ip_activity.last_delivery_at,
 * intel-004), read by its time index from the window's start: with the clock inside the data (a live
 * centre's case) every address active in the retention horizon is listed, and looking each one up in
 * deliveries_ip, reading its rows to skip metadata-only sessions, cost ~4 s of CPU at 10,000,000
 * deliveries. deliveries is read only (1) past the rollup's watermark, by id range (`tail`), and (2)
 * for an address whose rolled-up last delivery is at or after :until (the clock is set before the
 * end of the data): then its last one before :until is one index seek.
 *
 * The tail is found by its rowid range, never through deliveries_ip: with a plain UNION of the two
 * sources SQLite 3.53 (Node 24's) merged them in address order and read all 10,000,000 entries of
 * deliveries_ip even when nothing was above the watermark (320-380 ms CPU for an empty answer).
 * `last` is MATERIALIZED: computed once, not once for each place the outer query names last_at
 * (SQLite and PostgreSQL both honour the keyword). test/unit/store/referrals-plan.test.ts holds the
 * plan to this.
 */
export const CANDIDATES_SQL = `
  WITH above AS MATERIALIZED (
    SELECT remote_ip, started_at, metadata_only FROM deliveries WHERE id > (SELECT COALESCE(MAX(last_id), 0) FROM intel_watermarks WHERE name = 'deliveries')
  ), tail AS MATERIALIZED (
    SELECT remote_ip AS ip, MAX(started_at) AS last_at FROM above WHERE metadata_only = 0 AND started_at >= :since AND started_at < :until GROUP BY remote_ip
  ), rolled AS MATERIALIZED (
    SELECT i.ip, CASE WHEN a.last_delivery_at < :until THEN a.last_delivery_at ELSE (SELECT MAX(d.started_at) FROM deliveries d
        WHERE d.remote_ip = i.ip AND d.metadata_only = 0 AND d.started_at >= :since AND d.started_at < :until) END AS last_at
    FROM intel_ip_activity a JOIN intel_ips i ON i.ip_id = a.ip_id WHERE a.last_delivery_at >= :since
  ), last AS MATERIALIZED (
    SELECT r.ip, CASE WHEN r.last_at IS NULL OR t.last_at > r.last_at THEN t.last_at ELSE r.last_at END AS last_at
    FROM rolled r LEFT JOIN tail t ON t.ip = r.ip WHERE r.last_at IS NOT NULL OR t.last_at IS NOT NULL
    UNION ALL
    SELECT t.ip, t.last_at FROM tail t
    WHERE NOT EXISTS (SELECT 1 FROM intel_ips i JOIN intel_ip_activity a ON a.ip_id = i.ip_id WHERE i.ip = t.ip AND a.last_delivery_at >= :since)
  ), c AS (
    SELECT l.ip, l.last_at, g.ip_id IS NOT NULL AS enriched, g.placeable, g.country, g.asn, g.as_org, a.agency,
      COALESCE(ra.days, rc.days) AS days, COALESCE(ra.source, rc.source) AS source,
      CASE WHEN ra.days IS NOT NULL THEN 'country+asn' WHEN rc.days IS NOT NULL THEN 'country' END AS rule
    FROM last l
    LEFT JOIN intel_ips i ON i.ip = l.ip
    LEFT JOIN intel_ip_geo g ON g.ip_id = i.ip_id
    LEFT JOIN jurisdiction_agency a ON a.country = g.country AND g.placeable = 1
    LEFT JOIN retention_rule ra ON ra.country = g.country AND ra.asn = g.asn AND g.placeable = 1
    LEFT JOIN retention_rule rc ON rc.country = g.country AND rc.asn = 0 AND g.placeable = 1
    WHERE :referred = 1 OR NOT EXISTS (SELECT 1 FROM referral_ip r WHERE r.ip = l.ip AND r.covered_to >= l.last_at)
  )
  SELECT *, last_at + days * ${DAY_MS} AS deadline FROM c
  WHERE (CAST(:agency AS TEXT) IS NULL OR agency = :agency) AND (:withAgency = 0 OR agency IS NOT NULL)
    AND ((days IS NOT NULL AND last_at + days * ${DAY_MS} >= :dfrom AND (CAST(:dto AS INTEGER) IS NULL OR last_at + days * ${DAY_MS} < :dto))
      OR (days IS NULL AND :undated = 1))
  ORDER BY days IS NULL, deadline, ip
  LIMIT :limit`;

/**
 * ReferralStore over the SQLite store's connection (tables: migrations/referrals-001.ts). The
 * PostgreSQL store runs it too, over its facade (pg-referrals-001; `candidates` reads the
 * intelligence tables of pg-intel-001): the SQL is written once, for both.
 */
export class SqliteReferrals implements ReferralStore {
  readonly #db: DatabaseSync;
  constructor(db: DatabaseSync) { this.#db = db; }

  #tx<T>(fn: () => T): T {
    this.#db.exec('BEGIN IMMEDIATE');
    try { const r = fn(); this.#db.exec('COMMIT'); return r; } catch (e) { if (this.#db.isTransaction) this.#db.exec('ROLLBACK'); throw e; }
  }

  agencies(): Agency[] {
    return this.#db.prepare('SELECT * FROM jurisdiction_agency ORDER BY country').all().map((r) => ({
      country: String(r.country), agency: String(r.agency), contact: String(r.contact), updatedAt: Number(r.updated_at),
    }));
  }

  replaceAgencies(rows: readonly Agency[]): void {
    this.#tx(() => { this.#db.exec('DELETE FROM jurisdiction_agency'); for (const r of rows) this.#putAgency(r); });
  }

  setAgency(row: Agency): void { this.#putAgency(row); }

  #putAgency(r: Agency): void {
    this.#db.prepare(`INSERT INTO jurisdiction_agency (country, agency, contact, updated_at) VALUES (?, ?, ?, ?)
      ON CONFLICT(country) DO UPDATE SET agency = excluded.agency, contact = excluded.contact, updated_at = excluded.updated_at`).run(r.country, r.agency, r.contact, r.updatedAt);
  }

  removeAgency(country: string): boolean {
    return Number(this.#db.prepare('DELETE FROM jurisdiction_agency WHERE country = ?').run(country).changes) > 0;
  }

  retentionRules(): RetentionRule[] {
    return this.#db.prepare('SELECT * FROM retention_rule ORDER BY country, asn').all().map((r) => ({
      country: String(r.country), ...(Number(r.asn) !== 0 ? { asn: Number(r.asn) } : {}), days: Number(r.days), source: String(r.source), updatedAt: Number(r.updated_at),
    }));
  }

  replaceRetentionRules(rows: readonly RetentionRule[]): void {
    this.#tx(() => { this.#db.exec('DELETE FROM retention_rule'); for (const r of rows) this.#putRule(r); });
  }

  setRetentionRule(row: RetentionRule): void { this.#putRule(row); }

  #putRule(r: RetentionRule): void {
    this.#db.prepare(`INSERT INTO retention_rule (country, asn, days, source, updated_at) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT(country, asn) DO UPDATE SET days = excluded.days, source = excluded.source, updated_at = excluded.updated_at`).run(r.country, r.asn ?? 0, r.days, r.source, r.updatedAt);
  }

  removeRetentionRule(country: string, asn?: number): boolean {
    return Number(this.#db.prepare('DELETE FROM retention_rule WHERE country = ? AND asn = ?').run(country, asn ?? 0).changes) > 0;
  }

  /**
   * One query: each address's last delivery in the window (metadata-only sessions are crawlers and
   * indexers that received no warning: left out, as in every IP figure of issue 11), its current
   * enrichment, its agency and retention rule (an ISP's rule before its country's), and no referral
   * that covers that delivery. Ordered in SQL, so only `limit` rows reach JavaScript.
   *
   * Each address's last delivery comes from the activity rollup (CANDIDATES_SQL says how, and what is
   * read from deliveries), so the answer does not depend on the rollup being fresh, and the work grows
   * with the addresses active in the window, not with their deliveries (the web app shows this list as
   * alerts). Figures: bench/README.md, "referrals due".
   */
  candidates(q: CandidateQuery): ReferralCandidate[] {
    const rows = this.#db.prepare(CANDIDATES_SQL).all({
      since: q.since, until: q.until, dfrom: q.deadlineFrom, dto: q.deadlineTo ?? null, undated: q.includeUndated ? 1 : 0, agency: q.agency ?? null, referred: q.includeReferred ? 1 : 0, withAgency: q.withAgency ? 1 : 0, limit: q.limit,
    });
    return rows.map((r) => {
      const unplaced: Unplaced[] = [];
      if (Number(r.enriched) !== 1) unplaced.push('not enriched');
      else if (Number(r.placeable) !== 1) unplaced.push('not placeable');
      else if (r.country === null) unplaced.push('no country');
      else {
        if (r.agency === null) unplaced.push('no agency for country');
        if (r.days === null) unplaced.push('no retention rule');
      }
      return {
        ip: String(r.ip), lastDelivery: Number(r.last_at),
        ...(r.country !== null && Number(r.placeable) === 1 ? { country: String(r.country) } : {}),
        ...(r.asn !== null && Number(r.placeable) === 1 ? { asn: Number(r.asn) } : {}),
        ...(r.as_org !== null && Number(r.placeable) === 1 ? { asOrg: String(r.as_org) } : {}),
        ...(r.agency !== null ? { agency: String(r.agency) } : {}),
        ...(r.days !== null ? { retention: { days: Number(r.days), source: String(r.source), rule: String(r.rule) as 'country' | 'country+asn' }, deadline: Number(r.deadline) } : {}),
        unplaced,
      };
    });
  }

  recordReferral(p: Omit<ReferralPackageRecord, 'id' | 'ips'>, ips: readonly { ip: string; coveredTo: number }[]): number {
    return this.#tx(() => {
      const id = Number(this.#db.prepare('INSERT INTO referral_package (agency, created_at, sha256, path, ips) VALUES (?, ?, ?, ?, ?)')
        .run(p.agency, p.createdAt, p.sha256, p.path, ips.length).lastInsertRowid);
      const st = this.#db.prepare('INSERT INTO referral_ip (package_id, ip, covered_to) VALUES (?, ?, ?)');
      for (const x of ips) st.run(id, x.ip, x.coveredTo);
      return id;
    });
  }

  referralPackages(limit: number): ReferralPackageRecord[] {
    return this.#db.prepare('SELECT * FROM referral_package ORDER BY id DESC LIMIT ?').all(limit).map((r) => ({
      id: Number(r.id), agency: String(r.agency), createdAt: Number(r.created_at), sha256: String(r.sha256), path: String(r.path), ips: Number(r.ips),
    }));
  }

  referralsOf(ip: string): ReferredIp[] {
    return this.#db.prepare(`SELECT r.ip, r.covered_to, p.* FROM referral_ip r JOIN referral_package p ON p.id = r.package_id
      WHERE r.ip = ? ORDER BY p.id`).all(ip).map((r) => ({
      ip: String(r.ip), coveredTo: Number(r.covered_to),
      package: { id: Number(r.id), agency: String(r.agency), createdAt: Number(r.created_at), sha256: String(r.sha256), path: String(r.path), ips: Number(r.ips) },
    }));
  }
}

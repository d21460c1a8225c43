import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type {
  Agency, CandidateQuery, ReferralCandidate, ReferralPackageRecord, ReferralStore, ReferredIp, RetentionRule, Unplaced,
} from '../../referrals.ts';

const DAY_MS = 86_400_000;
/** How the due list chooses its way (SqliteReferrals' constructor). */
export interface DueListTuning {
  /**
   * Up to this many addresses in the window, the due list places and sorts them all (about 10 us each
   * at 10M: 20 ms); above it, it reads by rule ranges and address order (see #fewInWindow). A setting of
   * the code, not of a deployment: the contract tests make a second store view with -1 to run the
   * rule-range way on small fixtures.
   */
  readonly fewInWindow: number;
}
export const DUE_LIST_DEFAULTS: DueListTuning = { fewInWindow: 2_000 };

/**
 * The deliveries past the rollup's watermark (by rowid range, never through deliveries_ip), and each address's last one in [:since, :until).
 * :watermark is the rollup's deliveries watermark read just before (ReferralStore.candidates): a bound value, not a subquery, because
 * PostgreSQL plans a subquery's value as unknown, estimates a third of each month partition past it and read most partitions whole
 * (Seq Scan: 72 of 114 ms of the due statement at 1,000,000 deliveries, session 10). The watermark only grows, so a value read
 * before a refresh commits gives a longer tail, whose addresses are placed in full: the same answer.
 */
const TAIL = `above AS MATERIALIZED (
    SELECT remote_ip, started_at, metadata_only FROM deliveries WHERE id > :watermark
  ), tail AS MATERIALIZED (
    SELECT remote_ip AS ip, MAX(started_at) AS last_at FROM above WHERE metadata_only = 0 AND started_at >= :since AND started_at < :until GROUP BY remote_ip
  )`;

/** The last delivery in [:since, :until) of address `i` from its rollup row `a`: looked up in deliveries only when the rolled-up one is at or after :until. */
const ROLLED_LAST = `CASE WHEN a.last_delivery_at < :until THEN a.last_delivery_at ELSE (SELECT MAX(d.started_at) FROM deliveries d
    WHERE d.remote_ip = i.ip AND d.metadata_only = 0 AND d.started_at >= :since AND d.started_at < :until) END`;

/** Addresses with deliveries past the watermark only (none in the window in the rollup). */
const TAIL_ONLY = `SELECT t.ip, t.last_at FROM tail t
    WHERE NOT EXISTS (SELECT 1 FROM intel_ips i JOIN intel_ip_activity a ON a.ip_id = i.ip_id WHERE i.ip = t.ip AND a.last_delivery_at >= :since)`;

/**
 * A candidate row's columns for address `l` (ip, last_at) placed by its assessment `g`: enrichment, place,
 * agency, and its retention rule (an ISP's rule before its country's).
 */
const PLACED = `l.ip, l.last_at, g.ip_id IS NOT NULL AS enriched, g.placeable, g.country, g.asn, g.as_org, a.agency,
      COALESCE(ra.days, rc.days) AS days, COALESCE(ra.source, rc.source) AS source,
      CASE WHEN ra.days IS NOT NULL THEN 'country+asn' WHEN rc.days IS NOT NULL THEN 'country' END AS rule`;
const PLACED_JOINS = `LEFT JOIN jurisdiction_agency a ON a.country = g.country AND g.placeable = 1
    LEFT JOIN retention_rule ra ON ra.country = g.country AND ra.asn = g.asn AND g.placeable = 1
    LEFT JOIN retention_rule rc ON rc.country = g.country AND rc.asn = 0 AND g.placeable = 1`;

/**
 * Each address of `rolled` (from intel_ip_activity a JOIN intel_ips i) with its last delivery, then the
 * filters, the order and the limit. With `certain` (datedSql), the rows of `top` (ip_id, ip, last_at:
 * addresses whose row the rollup gives as it is, already filtered) are placed and added before the order.
 */
function candidatesSql(rolled: string, certain?: { top: string }): string {
  const rows = `SELECT *, last_at + days * ${DAY_MS} AS deadline FROM c
  WHERE (CAST(:agency AS TEXT) IS NULL OR agency = :agency) AND (:withAgency = 0 OR agency IS NOT NULL)
    AND ((days IS NOT NULL AND last_at + days * ${DAY_MS} >= :dfrom AND (CAST(:dto AS INTEGER) IS NULL OR last_at + days * ${DAY_MS} < :dto))
      OR (days IS NULL AND :undated = 1))`;
  return `
  WITH ${TAIL}, ${certain ? `top AS MATERIALIZED (${certain.top}), ` : ''}rolled AS MATERIALIZED (
    SELECT i.ip, ${ROLLED_LAST} AS last_at FROM ${rolled}
  ), last AS MATERIALIZED (
    SELECT r.ip, CASE WHEN r.last_at IS NULL OR t.last_at > r.last_at THEN t.last_at ELSE r.last_at END AS last_at
    FROM rolled r LEFT JOIN tail t ON t.ip = r.ip WHERE r.last_at IS NOT NULL OR t.last_at IS NOT NULL
    UNION ALL
    ${TAIL_ONLY}
  ), c AS (
    SELECT ${PLACED}
    FROM last l
    LEFT JOIN intel_ips i ON i.ip = l.ip
    LEFT JOIN intel_ip_geo g ON g.ip_id = i.ip_id
    ${PLACED_JOINS}
    WHERE :referred = 1 OR NOT EXISTS (SELECT 1 FROM referral_ip r WHERE r.ip = l.ip AND r.covered_to >= l.last_at)
  )
  ${certain ? `SELECT * FROM (${rows}
  UNION ALL
  SELECT *, last_at + days * ${DAY_MS} AS deadline FROM (SELECT ${PLACED} FROM top l JOIN intel_ip_geo g ON g.ip_id = l.ip_id ${PLACED_JOINS}) p) dated` : rows}
  ORDER BY days IS NULL, deadline, ip
  LIMIT :limit`;
}

/**
 * The candidates statement (ReferralStore.candidates; its parameters are named there): every address
 * with a non-metadata-only delivery in the window. Each one's last delivery comes from the activity
 * rollup (intel_ip_activity.last_delivery_at, intel-004), read by its time index from the window's
 * start; deliveries is read only past the rollup's watermark (`tail`, by id range) and for an address
 * whose rolled-up last delivery is at or after :until (the clock set before the end of the data): one
 * index seek. Before, each address's last delivery was looked up in deliveries_ip, reading rows to
 * skip metadata-only sessions: with the clock inside the data (a live centre's case) ~4-5 s of CPU at
 * 10,000,000 deliveries. `last` is MATERIALIZED: computed once, not once for each place the outer
 * query names last_at (SQLite and PostgreSQL both honour the keyword). A plain UNION of the two
 * sources made SQLite 3.53 (Node 24's) merge them in address order, reading all 10,000,000 entries
 * of deliveries_ip for an empty answer (320-380 ms CPU). test/unit/store/referrals-plan.test.ts holds
 * the plans to this.
 */
export const CANDIDATES_SQL = candidatesSql('intel_ip_activity a JOIN intel_ips i ON i.ip_id = a.ip_id WHERE a.last_delivery_at >= :since');

/**
 * Retention rule k's addresses whose dated row is certain from the rollup alone, its first :limit in
 * deadline order (ties by address, as the list orders them). The rule is bound as :ck, :ak (0 for a
 * country's rule) and :dk days (cast to BIGINT: PostgreSQL types a parameter from its context). Its
 * addresses are one range of intel_ip_activity_place_last (intel-005; the rule's country, last delivery
 * in [:dfrom - D, :dto - D), in deadline order: deadline = last delivery + D), read from the index
 * alone, with a seek into intel_ips each, until :limit are kept: the rule is the address's own (an
 * ISP's rule before its country's); the rolled-up last delivery is before :until and none is past the
 * watermark (then it is the address's last delivery in the window); not referred since; the agency
 * filters. SQLite reads the index in order and sorts only the entries tied at the :limit-th deadline.
 */
const ruleArm = (k: number) => `SELECT * FROM (SELECT x.ip_id, i.ip, x.last_delivery_at AS last_at, x.last_delivery_at + CAST(:d${k} AS BIGINT) * ${DAY_MS} AS deadline FROM intel_ip_activity x CROSS JOIN intel_ips i
      WHERE x.place_country = :c${k} AND x.last_delivery_at >= :dfrom - CAST(:d${k} AS BIGINT) * ${DAY_MS} AND x.last_delivery_at < :dto - CAST(:d${k} AS BIGINT) * ${DAY_MS}
        AND x.last_delivery_at >= :since AND x.last_delivery_at < :until
        AND (x.place_asn = :a${k} OR (:a${k} = 0 AND NOT EXISTS (SELECT 1 FROM retention_rule ra WHERE ra.country = x.place_country AND ra.asn = x.place_asn)))
        AND i.ip_id = x.ip_id AND NOT EXISTS (SELECT 1 FROM tail t WHERE t.ip = i.ip)
        AND NOT EXISTS (SELECT 1 FROM referral_ip f WHERE f.ip = i.ip AND f.covered_to >= x.last_delivery_at)
        AND (CAST(:agency AS TEXT) IS NULL OR EXISTS (SELECT 1 FROM jurisdiction_agency ag WHERE ag.country = x.place_country AND ag.agency = :agency))
        AND (:withAgency = 0 OR EXISTS (SELECT 1 FROM jurisdiction_agency ag WHERE ag.country = x.place_country))
      ORDER BY x.last_delivery_at, i.ip LIMIT :limit) r${k}`;

/**
 * The due list's dated rows (a deadline in [:dfrom, :dto), :undated = 0, :limit >= 1) with `rules`
 * retention rules bound as ruleArm says, reading only the addresses that can be among the first :limit.
 * Target (issue 13): API p95 <= 100 ms for /api/referrals/due. CANDIDATES_SQL reads every address
 * active in the window (210,479 at 10,000,000 deliveries, 2.0 s of CPU); session 8's way, a range of
 * the time index per rule with each entry's place read from intel_ip_geo, cost 28-30 ms of CPU with
 * five rules (5 x 1,002 entries to find a cut, then ~4,500 again up to it, a seek for each).
 *
 * Now each rule's certain rows come from its own range of the place index (ruleArm), and the first
 * :limit of their union (`top`) are placed as they are. The addresses whose row the rollup does not
 * give as it is (a rolled-up last delivery at or after :until, deliveries past the watermark) are
 * placed and checked in full, as CANDIDATES_SQL does. No address left out can be in the list: its row
 * is certain, so :limit certain rows of its own rule come before it.
 */
export function datedSql(rules: number): string {
  const arms = Array.from({ length: rules }, (_, k) => ruleArm(k)).join('\n      UNION ALL ');
  return candidatesSql(`(SELECT DISTINCT ip_id FROM (
        SELECT ip_id FROM intel_ip_activity WHERE last_delivery_at >= :until
        UNION ALL SELECT i2.ip_id FROM tail t JOIN intel_ips i2 ON i2.ip = t.ip) u) s
    CROSS JOIN intel_ip_activity a JOIN intel_ips i ON i.ip_id = a.ip_id WHERE a.ip_id = s.ip_id AND a.last_delivery_at >= :since`,
  { top: `SELECT ip_id, ip, last_at FROM (${arms}) arms ORDER BY deadline, ip LIMIT :limit` });
}

/** The columns of an undated row of address `ip` (geo `g`, agency `ag`) with last delivery `last`. */
const undatedColumns = (ip: string, last: string) => `${ip} AS ip, ${last} AS last_at, g.ip_id IS NOT NULL AS enriched, g.placeable, g.country, g.asn, g.as_org, ag.agency,
      NULL AS days, NULL AS source, NULL AS rule, NULL AS deadline`;
/** No rule applies to address `ip` (geo `g`), not referred since `last`, and the agency filters. */
const undatedWhere = (ip: string, last: string) => `NOT EXISTS (SELECT 1 FROM retention_rule r WHERE g.placeable = 1 AND r.country = g.country AND (r.asn = g.asn OR r.asn = 0))
      AND NOT EXISTS (SELECT 1 FROM referral_ip r WHERE r.ip = ${ip} AND r.covered_to >= ${last})
      AND (CAST(:agency AS TEXT) IS NULL OR ag.agency = :agency) AND (:withAgency = 0 OR ag.agency IS NOT NULL)`;

/**
 * The due list's undated rows, in address order, the first :limit: the addresses are read in address
 * order (intel_ips' index) and the reading stops at :limit, instead of placing and sorting every
 * address of the window (the same target as datedSql). `last` is evaluated where it is named; its
 * index seek happens only for an address whose rolled-up last delivery is at or after :until.
 */
const UNDATED_LAST = `CASE WHEN t.last_at IS NOT NULL AND (${ROLLED_LAST} IS NULL OR t.last_at > ${ROLLED_LAST}) THEN t.last_at ELSE ${ROLLED_LAST} END`;
export const UNDATED_SQL = `
  WITH ${TAIL}
  SELECT ${undatedColumns('i.ip', UNDATED_LAST)}
    FROM intel_ips i CROSS JOIN intel_ip_activity a
    LEFT JOIN tail t ON t.ip = i.ip
    LEFT JOIN intel_ip_geo g ON g.ip_id = i.ip_id
    LEFT JOIN jurisdiction_agency ag ON ag.country = g.country AND g.placeable = 1
    WHERE a.ip_id = i.ip_id AND a.last_delivery_at >= :since AND ${UNDATED_LAST} IS NOT NULL AND ${undatedWhere('i.ip', UNDATED_LAST)}
  UNION ALL
  SELECT ${undatedColumns('x.ip', 'x.last_at')}
    FROM (${TAIL_ONLY}) x
    LEFT JOIN intel_ips i ON i.ip = x.ip
    LEFT JOIN intel_ip_geo g ON g.ip_id = i.ip_id
    LEFT JOIN jurisdiction_agency ag ON ag.country = g.country AND g.placeable = 1
    WHERE ${undatedWhere('x.ip', 'x.last_at')}
  ORDER BY 1
  LIMIT :limit`;

/**
 * ReferralStore over the SQLite store's connection (tables: migrations/referrals-001.ts). The
 * PostgreSQL store runs it too, over its facade (pg-referrals-001; `candidates` reads the
 * intelligence tables of pg-intel-001): the SQL is written once, for both.
 */
export class SqliteReferrals implements ReferralStore {
  readonly #db: DatabaseSync;
  readonly #tuning: DueListTuning;
  readonly #dated = new Map<number, string>();
  readonly #prepared = new Map<string, { st: StatementSync; names: ReadonlySet<string> }>();
  constructor(db: DatabaseSync, tuning: DueListTuning = DUE_LIST_DEFAULTS) { this.#db = db; this.#tuning = tuning; }

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
    const watermark = Number(this.#db.prepare("SELECT COALESCE(MAX(last_id), 0) AS w FROM intel_watermarks WHERE name = 'deliveries'").get()!.w);
    const p = {
      watermark, since: q.since, until: q.until, dfrom: q.deadlineFrom, dto: q.deadlineTo ?? null, undated: q.includeUndated ? 1 : 0, agency: q.agency ?? null, referred: q.includeReferred ? 1 : 0, withAgency: q.withAgency ? 1 : 0, limit: q.limit,
    };
    let rows: Record<string, unknown>[];
    if (q.deadlineTo === undefined || q.includeReferred) rows = this.#run(CANDIDATES_SQL, p);
    else if (q.limit < 1) rows = [];
    else if (this.#fewInWindow(q.since)) rows = this.#run(CANDIDATES_SQL, p);
    else {
      // A due list (a deadline window, referred addresses left out): its dated rows, then the first undated ones by address.
      const rules = this.#db.prepare('SELECT country, asn, days FROM retention_rule ORDER BY country, asn').all();
      const bound: Record<string, string | number> = {};
      rules.forEach((r, k) => { bound[`c${k}`] = String(r.country); bound[`a${k}`] = Number(r.asn); bound[`d${k}`] = Number(r.days); });
      rows = rules.length === 0 ? [] : this.#run(this.#datedSql(rules.length), { ...p, undated: 0, ...bound });
      if (q.includeUndated && rows.length < q.limit) rows = rows.concat(this.#run(UNDATED_SQL, { ...p, limit: q.limit - rows.length }));
    }
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

  /**
   * Whether the rollup holds at most `fewInWindow` (DueListTuning) addresses active since `since` (a bounded count of
   * its time index). Then the full statement, which places and sorts every address of the window, is
   * the cheaper way to the due list: UNDATED_SQL reads the addresses in address order until it has
   * :limit rows, which for a window with few or no addresses means reading every address (1.1-1.3 s
   * of CPU a request at 10,000,000 deliveries with the clock after the data, against 2.3 ms before
   * UNDATED_SQL). Both ways give the same answer (the rollup-erasure contract compares them).
   */
  #fewInWindow(since: number): boolean {
    const n = this.#db.prepare('SELECT count(*) AS n FROM (SELECT 1 FROM intel_ip_activity WHERE last_delivery_at >= ? LIMIT ?) w').get(since, this.#tuning.fewInWindow + 1);
    return Number(n?.n ?? 0) <= this.#tuning.fewInWindow;
  }

  /** datedSql for `rules` rules, built once per count. */
  #datedSql(rules: number): string {
    let sql = this.#dated.get(rules);
    if (sql === undefined) { sql = datedSql(rules); this.#dated.set(rules, sql); }
    return sql;
  }

  /**
   * Runs `sql` with the named parameters of `p` it names (node:sqlite refuses unknown names). The due
   * list's statements are prepared once per text (a few: one per rule count): compiling datedSql with
   * five rules cost 0.7-1.1 ms of CPU a request at 10M (issue 13 target: API p95 <= 100 ms).
   */
  #run(sql: string, p: Record<string, string | number | null>): Record<string, unknown>[] {
    let prepared = this.#prepared.get(sql);
    if (prepared === undefined) {
      prepared = { st: this.#db.prepare(sql), names: new Set([...sql.matchAll(/:(\w+)/g)].map((m) => m[1]!)) };
      this.#prepared.set(sql, prepared);
    }
    const names = prepared.names;
    return prepared.st.all(Object.fromEntries(Object.entries(p).filter(([k]) => names.has(k))));
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

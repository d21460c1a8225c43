import type { DatabaseSync } from 'node:sqlite';
import type { ActivityRow, DimensionRow } from '../../intelligence.ts';
import { DAY_MS, ROLLUP_PERIODS, type IntelDialect, type RollupPeriod } from './intel-dialect.ts';
import { placeKey, ROLLUP_DIMENSIONS, type PlaceDimension } from './place-keys.ts';
import { AREA_COLUMNS, areaRow, type AreaRow } from './stats-queries.ts';

const countIf = (cond: string) => `SUM(CASE WHEN ${cond} THEN 1 ELSE 0 END)`;

/**
 * Rollups for the analysis queries that must stay fast over a year of deliveries (issue 11
 * benchmarks: weekly unique IPs by municipality <= 1 s, cohorts <= 5 s; `stats --period year
 * --by county` took 13.5 min as a plain query at 3 million deliveries). Extended from high-water
 * marks on the record tables' ids, so a refresh reads only what was added since the last one;
 * records are append-only, so a row never changes after it has been rolled up.
 *
 * - intel_ip_bucket: the (week | month | year, address) pairs with a non-metadata-only delivery.
 * - intel_bucket_place: per bucket and dimension (country, county, municipality, ASN, 'all'),
 *   the number of those pairs under each place: the unique IPs, counted under each address's
 *   current assessment. A new pair adds one; a (re-)assessment moves the address's pairs
 *   (moveAssessed). Exact, and checked against the plain queries (tests, bench/intel.bench.ts).
 * - intel_day_activity: deliveries, completed, bytes and metadata-only sessions per UTC day.
 * - intel_ip_activity: per address its first and last activity, first exposure and first
 *   unexposed contact (cohorts read only this table), the start of its last non-metadata-only
 *   delivery (last_delivery_at) and its place as retention rules key on it (place_country,
 *   place_asn: the referral due list, referral-tables.ts). A new row takes its place from
 *   intel_ip_geo, and each assessment sets it again (PLACE_OF_STAGED_SQL).
 *
 * Erasure deletes records, so it corrects the rollups for what it deleted (eraseDeliveriesSql,
 * dropErased): the day figures and the pairs lose the erased deliveries, and the touched addresses'
 * activity rows are computed again from what is left.
 *
 * Every statement is set-based and runs as written on SQLite and PostgreSQL (IntelDialect holds
 * the date arithmetic), so one refresh serves both stores.
 */
export class Rollups {
  readonly #db: DatabaseSync;
  readonly #sql: IntelDialect;
  constructor(db: DatabaseSync, dialect: IntelDialect) { this.#db = db; this.#sql = dialect; }

  /**
   * The high-water marks and the record tables' highest ids, in one statement (one round trip on
   * PostgreSQL); with `due`, also whether an address awaits its first assessment (enrichment-tables.ts:
   * addresses are assessed in ip_id order, so one does when the highest address id is past the highest
   * assessed one), which saves a dossier on an up-to-date store a round trip (issue 11: dossier p95 <= 50 ms).
   */
  #marks(due = false): { wd: number; wa: number; topD: number; topA: number; enrichmentDue: boolean } {
    const mark = (name: string) => `COALESCE((SELECT last_id FROM intel_watermarks WHERE name = '${name}'), 0)`;
    const dueSql = due ? `, CASE WHEN (SELECT COALESCE(MAX(ip_id), 0) FROM intel_ips) > (SELECT COALESCE(MAX(ip_id), 0) FROM intel_ip_geo) THEN 1 ELSE 0 END AS due` : '';
    const r = this.#db.prepare(this.#sql.marksFrom ? `SELECT wd, wa, td, ta${dueSql} FROM ${this.#sql.marksFrom}` : `SELECT ${mark('deliveries')} AS wd, ${mark('announces')} AS wa,
      (SELECT COALESCE(MAX(id), 0) FROM deliveries) AS td, (SELECT COALESCE(MAX(id), 0) FROM tracker_announces) AS ta${dueSql}`).get()!;
    return { wd: Number(r.wd), wa: Number(r.wa), topD: Number(r.td), topA: Number(r.ta), enrichmentDue: Number(r.due) === 1 };
  }

  /**
   * Nothing recorded past the marks (read outside a transaction: a refresh reads them again inside its
   * own), and whether an address awaits its first assessment.
   */
  upToDate(): { upToDate: boolean; enrichmentDue: boolean } {
    const m = this.#marks(true);
    return { upToDate: m.topD === m.wd && m.topA === m.wa, enrichmentDue: m.enrichmentDue };
  }

  /** Call inside a transaction. */
  refresh(): { deliveries: number; announces: number } {
    const db = this.#db;
    const sql = this.#sql;
    const seen = this.#marks();
    const { wd, wa } = seen;
    // Nothing visible past the marks: nothing to do, and no lock taken (every dossier and stats call refreshes first).
    if (seen.topD === wd && seen.topA === wa) return { deliveries: 0, announces: 0 };
    // PostgreSQL assigns ids before commit: wait until every writer holding a lower id has committed, then read the tops again.
    for (const s of sql.refreshLock) db.exec(s);
    const { topD, topA } = this.#marks();
    const newD = 'd.id > ? AND d.id <= ?';
    db.prepare(`INSERT OR IGNORE INTO intel_ips (ip) SELECT DISTINCT d.remote_ip FROM deliveries d WHERE ${newD}`).run(wd, topD);
    db.prepare(`INSERT OR IGNORE INTO intel_ips (ip) SELECT DISTINCT d.remote_ip FROM tracker_announces d WHERE ${newD}`).run(wa, topA);

    // New (bucket, address) pairs, staged, then counted under each address's current place.
    db.exec('DELETE FROM intel_stage_pairs');
    for (const p of ROLLUP_PERIODS) db.prepare(pairsSql(sql, p, 'intel_stage_pairs', newD)).run(wd, topD);
    db.exec(`DELETE FROM intel_stage_pairs WHERE EXISTS (SELECT 1 FROM intel_ip_bucket b
      WHERE b.period = intel_stage_pairs.period AND b.bucket = intel_stage_pairs.bucket AND b.ip_id = intel_stage_pairs.ip_id)`);
    db.exec('INSERT INTO intel_ip_bucket (period, bucket, ip_id) SELECT period, bucket, ip_id FROM intel_stage_pairs');
    this.countPairs('intel_stage_pairs', 1);
    db.exec('DELETE FROM intel_stage_pairs');

    db.prepare(dayActivitySql(newD, 1)).run(wd, topD);
    db.prepare(activitySql(sql, newD, true)).run(wd, topD);
    db.prepare(announceActivitySql(sql, newD, true)).run(wa, topA);
    const mark = db.prepare('INSERT INTO intel_watermarks (name, last_id) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET last_id = excluded.last_id');
    mark.run('deliveries', topD);
    mark.run('announces', topA);
    return { deliveries: topD - wd, announces: topA - wa };
  }

  /**
   * Adds (sign 1) or takes away (sign -1) the pairs of `pairs` (a table or subquery with period,
   * bucket, ip_id) under each address's current place, in every dimension.
   */
  countPairs(pairs: string, sign: 1 | -1): void {
    for (const s of countPairsSql(pairs, sign)) this.#db.exec(s);
  }

  /**
   * The pairs of the addresses in intel_stage_ips (about to be re-assessed), copied into
   * intel_stage_pairs once per enrichment batch; countPairs then reads that small table ten times
   * (five dimensions, out and back in). Before, each of the ten statements selected the pairs from
   * intel_ip_bucket itself, and with no statistics on the intel tables (synth's ANALYZE runs while
   * they are empty) SQLite planned that as a scan of every pair, PostgreSQL as a hash join over a
   * sequential scan: ten full scans per batch of 5,000 addresses, with batches and pairs both
   * growing with the workload. At 10 million deliveries (~580,000 addresses, millions of pairs)
   * the first refresh had not finished after 35 minutes. Written as IN, so SQLite probes
   * intel_ip_bucket_ip (test/unit/store/intel-plans.test.ts). Call inside a transaction.
   */
  stageAssessedPairs(): void {
    this.#db.exec('DELETE FROM intel_stage_pairs');
    this.#db.exec(STAGE_ASSESSED_PAIRS_SQL);
  }

  /**
   * After an erasure, for the addresses in intel_stage_ips (their ids: the erasure's touched
   * addresses, a thousand at a time): takes away their (bucket, address) pairs whose bucket has no
   * non-metadata-only delivery of the address left, from intel_ip_bucket and from the counts under
   * each address's place (so the rollups, and the public map drawn from them, answer as the plain
   * queries over what is left), and computes their intel_ip_activity rows again from their
   * deliveries and announces up to the marks. Call inside a transaction that took the store's
   * eraseLock, before the addresses' places are forgotten.
   *
   * Set-based: a few statements per thousand addresses. One statement per address and period cost
   * PostgreSQL a round trip each, inside the erasure (erasure-table.ts).
   */
  dropErased(): void {
    const db = this.#db;
    db.exec('DELETE FROM intel_stage_pairs');
    for (const p of ROLLUP_PERIODS) db.exec(erasedPairsSql(this.#sql, p));
    this.countPairs('intel_stage_pairs', -1);
    // IN, not a correlated EXISTS: that scanned the staged pairs once per pair of the rollup (quadratic; an erasure of 67,000 deliveries at 1M ran past 10 minutes).
    db.exec('DELETE FROM intel_ip_bucket WHERE (period, bucket, ip_id) IN (SELECT s.period, s.bucket, s.ip_id FROM intel_stage_pairs s)');
    db.exec('DELETE FROM intel_stage_pairs');
    // The marks as they stand (not #marks(): on PostgreSQL that first takes in the centre's shipped records).
    const mark = (name: string) => Number(db.prepare('SELECT COALESCE(MAX(last_id), 0) AS m FROM intel_watermarks WHERE name = ?').get(name)!.m);
    const wd = mark('deliveries'), wa = mark('announces');
    const staged = 'd.remote_ip IN (SELECT i.ip FROM intel_stage_ips s JOIN intel_ips i ON i.ip_id = s.ip_id)';
    db.exec('DELETE FROM intel_ip_activity WHERE ip_id IN (SELECT ip_id FROM intel_stage_ips)');
    db.prepare(activitySql(this.#sql, `d.id <= ? AND ${staged}`, true)).run(wd);
    db.prepare(announceActivitySql(this.#sql, `d.id <= ? AND ${staged}`, true)).run(wa);
  }

  /** After the addresses in intel_stage_ips were assessed: their activity rows take their new places (the due list's index). Call inside the assessment's transaction. */
  placeAssessed(): void { this.#db.exec(PLACE_OF_STAGED_SQL); }

  /** Empties the work table stageAssessedPairs filled. */
  clearStagedPairs(): void { this.#db.exec('DELETE FROM intel_stage_pairs'); }

  /** Unique IPs per whole bucket whose first day is in [from, to), by dimension, from the rollup. */
  uniqueIps(period: RollupPeriod, dim: PlaceDimension, from: number, to: number): DimensionRow[] {
    return this.#db.prepare(`SELECT ${this.#sql.dayLabel('bucket', period)} AS b, place AS k, label, ips AS n FROM intel_bucket_place
      WHERE period = ? AND dim = ? AND bucket >= ? AND bucket < ? AND ips > 0 ORDER BY bucket, ips DESC, place`)
      .all(period, dim, Math.ceil(from / DAY_MS), Math.ceil(to / DAY_MS))
      .map((r) => ({ bucket: String(r.b), key: String(r.k), label: String(r.label), ips: Number(r.n) }));
  }

  /**
   * uniqueIpsByArea over all time, from the year pairs: each address with a non-metadata-only
   * delivery once, under its current place. The public map's first drawing read every delivery
   * (10 million: 38.8 GB read, 1,206 s wall / 145 s CPU, the web server blocked); this reads the
   * ~560,000 year pairs and their places (target: well under a second at 10 million deliveries).
   */
  uniqueIpsByArea(): AreaRow[] {
    return this.#db.prepare(`SELECT ${AREA_COLUMNS}, COUNT(*) AS n
      FROM (SELECT DISTINCT b.ip_id FROM intel_ip_bucket b WHERE b.period = 'year') a LEFT JOIN intel_ip_geo g ON g.ip_id = a.ip_id
      GROUP BY 1, 2 ORDER BY 1, 2`).all().map(areaRow);
  }

  /** Activity per whole bucket whose first day is in [from, to), from the rollup. */
  activity(period: RollupPeriod, from: number, to: number): ActivityRow[] {
    const bucket = this.#sql.bucketDay(`(a.day * ${DAY_MS})`, period);
    return this.#db.prepare(`SELECT ${this.#sql.dayLabel('x.bucket', period)} AS b, x.n, x.c, x.bytes, x.meta, COALESCE(p.ips, 0) AS ips
      FROM (SELECT ${bucket} AS bucket, SUM(a.deliveries) AS n, SUM(a.completed) AS c, SUM(a.bytes) AS bytes, SUM(a.metadata_only) AS meta
            FROM intel_day_activity a GROUP BY 1) x
      LEFT JOIN intel_bucket_place p ON p.period = ? AND p.bucket = x.bucket AND p.dim = 'all' AND p.place = ''
      WHERE x.bucket >= ? AND x.bucket < ? ORDER BY x.bucket`)
      .all(period, Math.ceil(from / DAY_MS), Math.ceil(to / DAY_MS))
      .map((r) => ({ bucket: String(r.b), deliveries: Number(r.n), completed: Number(r.c), bytes: Number(r.bytes), metadataOnly: Number(r.meta), uniqueIps: Number(r.ips) }));
  }
}

/** The statement of Rollups.stageAssessedPairs (exported for its query-plan test). */
export const STAGE_ASSESSED_PAIRS_SQL = `INSERT INTO intel_stage_pairs (period, bucket, ip_id)
  SELECT b.period, b.bucket, b.ip_id FROM intel_ip_bucket b WHERE b.ip_id IN (SELECT s.ip_id FROM intel_stage_ips s)`;

/** The statements of Rollups.countPairs (migrations use them to fill the rollup from what exists). */
export function countPairsSql(pairs: string, sign: 1 | -1): string[] {
  return ROLLUP_DIMENSIONS.map((dim) => {
    const k = placeKey(dim);
    return `INSERT INTO intel_bucket_place (period, bucket, dim, place, label, ips)
      SELECT p.period, p.bucket, '${dim}', ${k.key}, MAX(${k.label}), ${sign} * COUNT(*)
      FROM ${pairs} p LEFT JOIN intel_ip_geo g ON g.ip_id = p.ip_id WHERE true GROUP BY p.period, p.bucket${dim === 'all' ? '' : `, ${k.key}`}
      ON CONFLICT (period, bucket, dim, place) DO UPDATE SET ips = intel_bucket_place.ips + excluded.ips,
        label = CASE WHEN excluded.ips > 0 THEN excluded.label ELSE intel_bucket_place.label END`;
  });
}

/** Inserts into `into` the distinct (period bucket, address) pairs of the non-metadata-only deliveries `d` meeting `where`. */
function pairsSql(sql: IntelDialect, p: RollupPeriod, into: string, where: string): string {
  return `INSERT INTO ${into} (period, bucket, ip_id) SELECT DISTINCT '${p}', ${sql.bucketDay('d.started_at', p)}, i.ip_id
    FROM deliveries d JOIN intel_ips i ON i.ip = d.remote_ip WHERE ${where} AND d.metadata_only = 0`;
}

/** Adds (sign 1) the deliveries `d` meeting `where` to the day activity, or takes them away (sign -1). */
function dayActivitySql(where: string, sign: 1 | -1): string {
  return `INSERT INTO intel_day_activity (day, deliveries, completed, bytes, metadata_only)
    SELECT d.started_at / ${DAY_MS}, ${sign} * ${countIf('d.metadata_only = 0')}, ${sign} * ${countIf('d.metadata_only = 0 AND d.completed = 1')}, ${sign} * SUM(d.bytes_served), ${sign} * SUM(d.metadata_only)
    FROM deliveries d WHERE ${where} GROUP BY 1
    ON CONFLICT (day) DO UPDATE SET deliveries = intel_day_activity.deliveries + excluded.deliveries, completed = intel_day_activity.completed + excluded.completed,
      bytes = intel_day_activity.bytes + excluded.bytes, metadata_only = intel_day_activity.metadata_only + excluded.metadata_only`;
}

/** The records `d` of a table the rollup has taken in (ids up to its mark `name`). */
const rolledUp = (name: 'deliveries' | 'announces') => `d.id <= (SELECT COALESCE(MAX(last_id), 0) FROM intel_watermarks WHERE name = '${name}')`;

/** Statements filling the pairs of `periods` and the day activity from the deliveries already rolled up (for migrations). */
export function fillFromDeliveriesSql(sql: IntelDialect, periods: readonly RollupPeriod[]): string[] {
  return [...periods.map((p) => pairsSql(sql, p, 'intel_ip_bucket', rolledUp('deliveries'))), dayActivitySql(rolledUp('deliveries'), 1)];
}

/**
 * Statements computing intel_day_activity and intel_ip_activity again from the records already rolled up
 * (for migrations: intel-004 and pg-intel-002, which ran before the place columns existed, so without them).
 */
export function rebuildActivitySql(sql: IntelDialect): string[] {
  return ['DELETE FROM intel_day_activity', dayActivitySql(rolledUp('deliveries'), 1),
    'DELETE FROM intel_ip_activity', activitySql(sql, rolledUp('deliveries'), false), announceActivitySql(sql, rolledUp('announces'), false)];
}

/** The place columns of intel_ip_activity from an intel_ip_geo row `g`: what retention rules key on (referral-tables.ts joins them the same way). */
const placeCountry = (g: string) => `CASE WHEN ${g}.placeable = 1 THEN ${g}.country END`;
const placeAsn = (g: string) => `CASE WHEN ${g}.placeable = 1 THEN ${g}.asn END`;
const placeOf = (g: string) => `${placeCountry(g)}, ${placeAsn(g)}`;
/**
 * A new activity row (a refresh, an erasure's recomputation) takes its address's current place
 * (activitySql, announceActivitySql); an existing row has it already (each assessment sets it).
 */
const PLACE_COLUMNS = ', place_country, place_asn';

/**
 * Sets the place columns of the activity rows meeting `where` (on intel_ip_activity's columns) from
 * their addresses' current assessments; rows of addresses never assessed keep NULL. Both stores run
 * it as written (UPDATE ... FROM).
 */
export function fillPlaceSql(where: string): string {
  return `UPDATE intel_ip_activity SET place_country = ${placeCountry('g')}, place_asn = ${placeAsn('g')}
    FROM intel_ip_geo g WHERE g.ip_id = intel_ip_activity.ip_id AND ${where}`;
}

/** The statement of Rollups.placeAssessed (exported for its query-plan test). */
export const PLACE_OF_STAGED_SQL = fillPlaceSql('intel_ip_activity.ip_id IN (SELECT s.ip_id FROM intel_stage_ips s)');

/**
 * Takes the deliveries whose ids are bound as the `n` parameters (about to be erased) out of the day
 * activity: those the rollup has taken in (ids up to its mark). Then a day left with no delivery goes,
 * as the plain query has no row for it. Run in the erasure's transaction, after the store's eraseLock
 * and before the rows are deleted; only the first statement takes the ids.
 */
export function eraseDeliveriesSql(n: number): [string, string] {
  return [dayActivitySql(`d.id IN (${Array.from({ length: n }, () => '?').join(', ')}) AND ${rolledUp('deliveries')}`, -1),
    'DELETE FROM intel_day_activity WHERE deliveries = 0 AND metadata_only = 0'];
}

/**
 * Per address over the deliveries `d` meeting `where`: first and last time, first exposure (a
 * completed delivery of the warning, not metadata-only) and first unexposed contact, each with its
 * decoy, and the start of the last non-metadata-only delivery; merged into intel_ip_activity.
 *
 * The decoy of each first is found by joining back on (address, time), not by a subquery per
 * address: on PostgreSQL's partitioned deliveries that subquery probed every month's index for
 * each address, and at 4 million deliveries this one statement ran past 13 minutes at load 19.
 * Two deliveries of one address starting in the same millisecond: the lower decoy id is taken.
 */
function activitySql(sql: IntelDialect, where: string, place: boolean): string {
  const t = 'intel_ip_activity';
  const earlier = (col: string) => `CASE WHEN excluded.${col}_at < COALESCE(${t}.${col}_at, excluded.${col}_at + 1) THEN excluded.${col}_decoy ELSE ${t}.${col}_decoy END`;
  const first = (col: string) => sql.least(`COALESCE(${t}.${col}, excluded.${col})`, `COALESCE(excluded.${col}, ${t}.${col})`);
  const last = (col: string) => sql.greatest(`COALESCE(${t}.${col}, excluded.${col})`, `COALESCE(excluded.${col}, ${t}.${col})`);
  const exposure = 'd.completed = 1 AND d.metadata_only = 0';
  return `WITH a AS (
        SELECT d.remote_ip, MIN(d.started_at) AS first_seen, MAX(d.ended_at) AS last_seen,
          MIN(CASE WHEN ${exposure} THEN d.started_at END) AS fx, MIN(CASE WHEN NOT (${exposure}) THEN d.started_at END) AS fc,
          MAX(CASE WHEN d.metadata_only = 0 THEN d.started_at END) AS ld
        FROM deliveries d WHERE ${where} GROUP BY d.remote_ip),
      x AS (SELECT a.remote_ip, MIN(d.decoy_id) AS decoy FROM a JOIN deliveries d ON d.remote_ip = a.remote_ip AND d.started_at = a.fx WHERE ${exposure} GROUP BY a.remote_ip),
      c AS (SELECT a.remote_ip, MIN(d.decoy_id) AS decoy FROM a JOIN deliveries d ON d.remote_ip = a.remote_ip AND d.started_at = a.fc WHERE NOT (${exposure}) GROUP BY a.remote_ip)
    INSERT INTO intel_ip_activity (ip_id, first_seen, last_seen, first_exposure_at, first_exposure_decoy, first_contact_at, first_contact_decoy, last_delivery_at${place ? PLACE_COLUMNS : ''})
      SELECT i.ip_id, a.first_seen, a.last_seen, a.fx, x.decoy, a.fc, c.decoy, a.ld${place ? `, ${placeOf('g')}` : ''}
      FROM a JOIN intel_ips i ON i.ip = a.remote_ip LEFT JOIN x ON x.remote_ip = a.remote_ip LEFT JOIN c ON c.remote_ip = a.remote_ip${place ? ' LEFT JOIN intel_ip_geo g ON g.ip_id = i.ip_id' : ''}
      WHERE true
      ON CONFLICT (ip_id) DO UPDATE SET
        first_seen = ${sql.least(`${t}.first_seen`, 'excluded.first_seen')}, last_seen = ${sql.greatest(`${t}.last_seen`, 'excluded.last_seen')},
        first_exposure_decoy = ${earlier('first_exposure')}, first_exposure_at = ${first('first_exposure_at')},
        first_contact_decoy = ${earlier('first_contact')}, first_contact_at = ${first('first_contact_at')},
        last_delivery_at = ${last('last_delivery_at')}`;
}

/** The announces `d` meeting `where` merged into intel_ip_activity: they count as being seen (a return), never as exposure or contact. */
function announceActivitySql(sql: IntelDialect, where: string, place: boolean): string {
  const t = 'intel_ip_activity';
  return `INSERT INTO intel_ip_activity (ip_id, first_seen, last_seen${place ? PLACE_COLUMNS : ''})
      SELECT i.ip_id, a.f, a.l${place ? `, ${placeOf('g')}` : ''} FROM (SELECT d.remote_ip, MIN(d.at) AS f, MAX(d.at) AS l FROM tracker_announces d WHERE ${where} GROUP BY d.remote_ip) a
      JOIN intel_ips i ON i.ip = a.remote_ip${place ? ' LEFT JOIN intel_ip_geo g ON g.ip_id = i.ip_id' : ''}
      WHERE true
      ON CONFLICT (ip_id) DO UPDATE SET first_seen = ${sql.least(`${t}.first_seen`, 'excluded.first_seen')}, last_seen = ${sql.greatest(`${t}.last_seen`, 'excluded.last_seen')}`;
}

/** Longest bucket of each period in days: a bound on the deliveries' index range (the bucket test itself is exact). */
const SPAN_DAYS: Record<RollupPeriod, number> = { week: 7, month: 31, year: 366 };

/**
 * Stages the `period` pairs of the addresses in intel_stage_ips whose bucket holds no
 * non-metadata-only delivery of the address any more. The time range lets each probe seek
 * deliveries_ip (remote_ip, started_at) to the bucket instead of reading every delivery of the address.
 */
function erasedPairsSql(sql: IntelDialect, period: RollupPeriod): string {
  return `INSERT INTO intel_stage_pairs (period, bucket, ip_id)
    SELECT b.period, b.bucket, b.ip_id FROM intel_stage_ips s JOIN intel_ip_bucket b ON b.ip_id = s.ip_id AND b.period = '${period}' JOIN intel_ips i ON i.ip_id = s.ip_id
    WHERE NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.remote_ip = i.ip AND d.metadata_only = 0
      AND d.started_at >= b.bucket * ${DAY_MS} AND d.started_at < (b.bucket + ${SPAN_DAYS[period]}) * ${DAY_MS} AND ${sql.bucketDay('d.started_at', period)} = b.bucket)`;
}

import type { DatabaseSync } from 'node:sqlite';

const DAY = 86_400_000;
/** Beyond this many addresses an erasure empties the rollup instead of recounting their rows (an index probe per address). */
const REBUILD_ONE_BY_ONE = 20_000;
/** Addresses recounted per statement (named parameters: under SQLite's 32,766 and PostgreSQL's 65,535). */
const REBUILD_CHUNK = 1000;
/** The deliveries a risk factor counts: not metadata-only (crawlers and indexers fetch metadata only; they are not downloaders). */
const COUNTED = 'metadata_only = 0';
/** The earlier of two times, either of which may be NULL (plain SQL: SQLite's min() and PostgreSQL's LEAST differ on NULL). */
const earlier = (a: string, b: string) => `CASE WHEN ${a} IS NULL OR ${b} < ${a} THEN ${b} ELSE ${a} END`;

/**
 * The rollup behind risk scoring (migration risk-001): per address, its days with their counts, its
 * decoys and its networks, over the counted deliveries with id <= the watermark. Deliveries are
 * append-only, so a refresh adds only what came after the watermark; an erasure rebuilds the rows of
 * the addresses it touched (rebuild). Every statement is plain set-based SQL.
 *
 * Scoring from it gives exactly what counting the deliveries gives (test/unit/sources/risk-rollup.test.ts
 * checks both ways on the same data).
 */
export class RiskRollup {
  readonly #db: DatabaseSync;
  constructor(db: DatabaseSync) { this.#db = db; }

  /** deliveries.id up to which the rollup is complete. */
  watermark(): number {
    return Number(this.#db.prepare('SELECT last_id FROM risk_watermark WHERE one = 1').get()!.last_id);
  }

  /**
   * Takes the watermark's row for the rest of the transaction (a write that changes nothing): on
   * PostgreSQL, where rollup writers run side by side, two refreshes, or a refresh and an erasure's
   * rebuild, then never work from the same watermark; the one that waited reads the watermark the
   * other committed. SQLite's write transactions are one at a time already.
   */
  #holdWatermark(): number {
    this.#db.exec('UPDATE risk_watermark SET last_id = last_id WHERE one = 1');
    return this.watermark();
  }

  /**
   * Adds the deliveries after the watermark up to `upTo` (by default the highest id; PostgreSQL's
   * store passes the highest id committed, postgres/pg-risk.ts); returns that bound. Call inside a
   * write transaction.
   */
  refresh(upTo?: number): number {
    const from = this.#holdWatermark();
    const to = upTo ?? Number(this.#db.prepare('SELECT COALESCE(MAX(id), 0) AS n FROM deliveries').get()!.n);
    if (to > from) {
      this.#add('id > :from AND id <= :to', { from, to });
      this.#db.prepare('UPDATE risk_watermark SET last_id = ? WHERE one = 1').run(to);
    }
    return to;
  }

  /**
   * Recounts the rows of these addresses from the deliveries left (up to the watermark): after an
   * erasure took some of their deliveries away. Call inside a write transaction.
   */
  rebuild(ips: ReadonlySet<string>): void {
    const up = this.#holdWatermark();
    // Many addresses (a retention cut-off): start again from nothing, the next score fills it in one pass.
    if (ips.size > REBUILD_ONE_BY_ONE) {
      for (const t of ['risk_ip_day', 'risk_ip_decoy', 'risk_ip_network']) this.#db.exec(`DELETE FROM ${t}`);
      this.#db.exec('UPDATE risk_watermark SET last_id = 0 WHERE one = 1');
      return;
    }
    // A thousand addresses a statement: one statement per address was four round trips each on
    // PostgreSQL, most of an erasure's time there (bench/governance-stores.bench.ts).
    const all = [...ips];
    for (let k = 0; k < all.length; k += REBUILD_CHUNK) {
      const chunk = all.slice(k, k + REBUILD_CHUNK);
      const names = chunk.map((_, i) => `:ip${i}`).join(', ');
      const p: Record<string, string | number> = Object.fromEntries(chunk.map((ip, i) => [`ip${i}`, ip]));
      for (const t of ['risk_ip_day', 'risk_ip_decoy', 'risk_ip_network']) this.#db.prepare(`DELETE FROM ${t} WHERE ip IN (${names})`).run(p);
      this.#add(`remote_ip IN (${names}) AND id <= :up`, { ...p, up });
    }
  }

  /** Adds the counted deliveries meeting `where` (a condition written here; values as the named parameters `p`). */
  #add(where: string, p: Record<string, string | number>): void {
    const db = this.#db;
    const t = 'risk_ip_day';
    db.prepare(`INSERT INTO ${t} (ip, day, deliveries, completions, first_at, last_at, first_completed_at)
      SELECT remote_ip, started_at / ${DAY}, COUNT(*), SUM(completed), MIN(started_at), MAX(started_at), MIN(CASE WHEN completed = 1 THEN started_at END)
      FROM deliveries WHERE ${where} AND ${COUNTED} GROUP BY remote_ip, started_at / ${DAY}
      ON CONFLICT (ip, day) DO UPDATE SET
        deliveries = ${t}.deliveries + excluded.deliveries, completions = ${t}.completions + excluded.completions,
        first_at = ${earlier(`${t}.first_at`, 'excluded.first_at')},
        last_at = CASE WHEN excluded.last_at > ${t}.last_at THEN excluded.last_at ELSE ${t}.last_at END,
        first_completed_at = ${earlier(`${t}.first_completed_at`, 'excluded.first_completed_at')}`).run(p);
    // Sorted, so a first fill appends to the B-tree instead of inserting at random.
    db.prepare(`INSERT INTO risk_ip_decoy (ip, decoy_id) SELECT DISTINCT remote_ip, decoy_id FROM deliveries WHERE ${where} AND ${COUNTED}
      ORDER BY 1, 2 ON CONFLICT (ip, decoy_id) DO NOTHING`).run(p);
    db.prepare(`INSERT INTO risk_ip_network (ip, network) SELECT DISTINCT remote_ip, COALESCE(network, 'bittorrent') FROM deliveries WHERE ${where} AND ${COUNTED}
      ORDER BY 1, 2 ON CONFLICT (ip, network) DO NOTHING`).run(p);
  }

  /**
   * Every factor counted from the deliveries (matches aside), per address, from the rollup, as rows
   * ip, deliveries, decoys, completions, days_active, persistence_days, extra_networks,
   * first_warning_at, returns_after_warning. Same definitions as counting the deliveries (risk-store.ts):
   * persistence is whole days from the first start to the last; a return is a day after the day of
   * the first completed delivery (warned_day). One GROUP BY over risk_ip_day in its key order, then a
   * range count per address (a window function for warned_day cost 3.0 s of CPU at 10M deliveries, this 1.2 s).
   */
  static readonly FACTORS = `
    SELECT a.ip, a.deliveries, (SELECT COUNT(*) FROM risk_ip_decoy x WHERE x.ip = a.ip) AS decoys,
      a.completions, a.days_active, a.persistence_days,
      (SELECT COUNT(*) - 1 FROM risk_ip_network x WHERE x.ip = a.ip) AS extra_networks,
      a.first_warning_at,
      CASE WHEN a.warned_day IS NULL THEN 0 ELSE (SELECT COUNT(*) FROM risk_ip_day x WHERE x.ip = a.ip AND x.day > a.warned_day) END AS returns_after_warning
    FROM (SELECT ip, SUM(deliveries) AS deliveries, SUM(completions) AS completions, COUNT(*) AS days_active,
        (MAX(last_at) - MIN(first_at)) / ${DAY} AS persistence_days, MIN(first_completed_at) AS first_warning_at,
        MIN(CASE WHEN first_completed_at IS NOT NULL THEN day END) AS warned_day
      FROM risk_ip_day GROUP BY ip) a`;
}

import type { DatabaseSync } from 'node:sqlite';

/** The match table's secondary indexes as the catalogue holds them (SQLite; pg-sources.ts gives PostgreSQL's). */
export const SQLITE_MATCH_INDEXES = "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'source_matches' AND sql IS NOT NULL ORDER BY name";

/** Imported records a run matches before it may drop the indexes (small runs keep them). */
export const MIN_BULK_RECORDS = 100_000;

/**
 * The match table's indexes during a large match run (issue 14: cross-match 10,000,000 deliveries
 * against a 10,000,000-row list in <= 60 s). Each stored match went into two B-trees: (run_id,
 * source_record_id) and the covering (run_id, ip, other_kind, source_record_id) of risk-002, whose IPs
 * arrive in random order, so 4.6 million matches meant 4.6 million random inserts (bench/match.bench.ts).
 * A large run therefore drops them before it stores its rows and builds them again, one sort each,
 * before it commits, in the same transaction: no reader ever sees the table without them, and a run
 * that fails rolls the drop back with its rows. The definitions are read back from the catalogue, so
 * the indexes come back exactly as the migrations left them.
 * A rebuild sorts every run's rows, not only this one's. Measured at 10,000,000 records (4.6 million
 * matches into an empty table): upkeep about 2 us of CPU per match, the two rebuilds 1.35 us per row in
 * the table. So a run drops them only when its records are at least MIN_BULK_RECORDS and four times the
 * matches stored before it (at 0.46 matches per record, the earlier rows are then at most about half
 * the run's own, and the rebuild still costs less than the upkeep).
 */
export class MatchIndexes {
  readonly #db: DatabaseSync;
  readonly #catalogue: string;
  readonly #minRecords: number;
  /** Indexes the last run dropped and rebuilt (0: it kept them). */
  lastDropped = 0;
  constructor(db: DatabaseSync, catalogue: string, minRecords = MIN_BULK_RECORDS) {
    this.#db = db; this.#catalogue = catalogue; this.#minRecords = minRecords;
  }

  /**
   * Inside the run's transaction, before it stores anything: drops the indexes when `records` (the
   * imported records the run matches) call for it. Returns the definitions rebuild() must restore.
   */
  dropFor(records: number): string[] {
    const stored = Number(this.#db.prepare('SELECT COALESCE(SUM(matches), 0) AS n FROM source_match_runs').get()!.n);
    this.lastDropped = 0;
    if (records < this.#minRecords || records < stored * 4) return [];
    const list = this.definitions();
    this.lastDropped = list.length;
    for (const i of list) this.#db.exec(`DROP INDEX "${i.name.replace(/"/g, '""')}"`);
    return list.map((i) => i.sql);
  }

  /** The indexes as the catalogue holds them now. */
  definitions(): { name: string; sql: string }[] {
    return this.#db.prepare(this.#catalogue).all().map((r) => ({ name: String(r.name), sql: String(r.sql) }));
  }

  /** Inside the same transaction, after the run's rows are stored. */
  rebuild(definitions: readonly string[]): void {
    for (const sql of definitions) this.#db.exec(sql);
  }
}

import type { DatabaseSync } from 'node:sqlite';
import type { Enrichment, GeoDatabase } from '../../../domain/enrichment.ts';
import { InputError } from '../../../domain/errors.ts';
import type {
  ActivityRow, CohortCount, DataPurpose, DecoyLifetime, DeviceEstimate, DimensionRow, DossierAnnounce, DossierDelivery, DossierPresence, DossierRecords,
  IntelFilter, IntelligenceStore, IpDimension, Period, RollupPeriod, StoredEnrichment,
} from '../../intelligence.ts';
import type { SyntheticWriter } from '../../synthetic.ts';
import { ERASED_COUNTER } from '../erasure-table.ts';
import { cohortCountsSql } from './cohort-counts-sql.ts';
import { cohorts } from './cohort-queries.ts';
import { dossierRecords, lastActivityAt } from './dossier-queries.ts';
import { EnrichmentTables } from './enrichment-tables.ts';
import type { IntelDialect } from './intel-dialect.ts';
import { Rollups } from './rollups.ts';
import { StatsQueries } from './stats-queries.ts';

/**
 * The intelligence queries (store/intelligence.ts) over one store's connection: SQLite's own, or
 * PostgreSQL's through postgres/pg-database.ts. The SQL is written once, with the date arithmetic
 * in `dialect`; test/unit/store/contract/intel-contract.ts holds both stores to the same answers.
 */
export class IntelStore implements IntelligenceStore {
  readonly #db: DatabaseSync;
  readonly #enrichment: EnrichmentTables;
  readonly #rollups: Rollups;
  readonly #stats: StatsQueries;
  readonly #writer: () => SyntheticWriter;
  readonly #cohortsInSql: boolean;

  constructor(db: DatabaseSync, dialect: IntelDialect, syntheticWriter: () => SyntheticWriter) {
    this.#db = db;
    this.#enrichment = new EnrichmentTables(db);
    this.#rollups = new Rollups(db, dialect);
    this.#stats = new StatsQueries(db, dialect);
    this.#writer = syntheticWriter;
    this.#cohortsInSql = dialect.cohortsInSql === true;
  }

  #tx<T>(fn: () => T): T {
    this.#db.exec('BEGIN IMMEDIATE');
    try { const r = fn(); this.#db.exec('COMMIT'); return r; } catch (e) { if (this.#db.isTransaction) this.#db.exec('ROLLBACK'); throw e; }
  }

  purpose(): DataPurpose | undefined { return this.#enrichment.purpose(); }
  setPurpose(purpose: DataPurpose, note: string, at: number): void { this.#enrichment.setPurpose(purpose, note, at); }
  recordDatabases(dbs: readonly GeoDatabase[], at: number): void { this.#enrichment.recordDatabases(dbs, at); }
  databases(): GeoDatabase[] { return this.#enrichment.databases(); }
  unenrichedIps(limit: number): string[] { return this.#enrichment.unenrichedIps(limit); }
  knownIps(afterIp: string, limit: number): string[] { return this.#enrichment.knownIps(afterIp, limit); }
  saveEnrichments(rows: readonly Enrichment[]): void {
    if (rows.length === 0) return;
    // The addresses' rollup pairs leave their old places and join their new ones, and their activity rows take the new places (rollups.ts).
    this.#tx(() => {
      this.#enrichment.stageIps(rows.map((e) => e.ip));
      this.#rollups.stageAssessedPairs();
      this.#rollups.countPairs('intel_stage_pairs', -1);
      this.#enrichment.saveEnrichments(rows);
      this.#rollups.countPairs('intel_stage_pairs', 1);
      this.#rollups.placeAssessed();
      this.#rollups.clearStagedPairs();
    });
  }
  enrichmentHistory(ip: string): StoredEnrichment[] { return this.#enrichment.enrichmentHistory(ip); }
  refreshRollups(): { deliveries: number; announces: number; enrichmentDue: boolean } {
    // Nothing new (the common case: every dossier and stats call refreshes first): answered
    // outside a transaction, so a dossier on PostgreSQL costs one round trip here, not three.
    const now = this.#rollups.upToDate();
    if (now.upToDate) return { deliveries: 0, announces: 0, enrichmentDue: now.enrichmentDue };
    return { ...this.#tx(() => this.#rollups.refresh()), enrichmentDue: true };
  }
  activity(filter: IntelFilter, period: Period): ActivityRow[] { return this.#stats.activity(filter, period); }
  uniqueIpsBy(filter: IntelFilter, period: Period, dimension: IpDimension): DimensionRow[] { return this.#stats.uniqueIpsBy(filter, period, dimension); }
  uniqueIpsByArea(filter: IntelFilter): { country: string; countyNumber: string | null; countyName: string | null; ips: number }[] { return this.#stats.uniqueIpsByArea(filter); }
  rollupUniqueIps(period: RollupPeriod, dimension: Exclude<IpDimension, 'client'>, from: number, to: number): DimensionRow[] {
    return this.#rollups.uniqueIps(period, dimension, from, to);
  }
  rollupUniqueIpsByArea(): { country: string; countyNumber: string | null; countyName: string | null; ips: number }[] { return this.#rollups.uniqueIpsByArea(); }
  rollupActivity(period: RollupPeriod, from: number, to: number): ActivityRow[] { return this.#rollups.activity(period, from, to); }
  decoyLifetimes(filter: Omit<IntelFilter, 'from' | 'to'>): DecoyLifetime[] { return this.#stats.decoyLifetimes(filter); }
  deviceEstimate(filter: IntelFilter, top: number): DeviceEstimate { return this.#stats.deviceEstimate(filter, top); }
  cohorts(from: number, to: number, horizonsDays: readonly number[], groupBy: 'none' | 'campaign' | 'language' | 'format', dataEnd: number): CohortCount[] {
    return (this.#cohortsInSql ? cohortCountsSql : cohorts)(this.#db, from, to, horizonsDays, groupBy, dataEnd);
  }
  /**
   * Target (issue 13 benchmarks): API p95 <= 100 ms for /api/cohorts. Counting intel_ip_activity here
   * (580,212 rows at 10,000,000 deliveries) cost 11-18 ms CPU on every call, cache hit or not. Its rows
   * change only when the rollups take in records (the watermarks move) or when an erasure forgets an
   * address, and every erasure adds the rows it removed to the records-erased counter
   * (erasure-table.ts) first: the watermarks and that counter say the same, by index lookups.
   */
  cohortDataVersion(): string {
    const marks = this.#db.prepare('SELECT name, last_id FROM intel_watermarks ORDER BY name').all().map((r) => `${String(r.name)}=${String(r.last_id)}`);
    const n = (q: string) => String(this.#db.prepare(q).get()?.n ?? 0);
    return [...marks, n(`SELECT value AS n FROM counters WHERE name = '${ERASED_COUNTER}'`), n('SELECT COALESCE(MAX(id), 0) AS n FROM decoys'), n('SELECT COUNT(*) AS n FROM campaign_items')].join(' ');
  }
  /** One statement (one round trip on PostgreSQL: the public map asks on every request). */
  publicMapVersion(): { readonly records: string; readonly erased: string } {
    const rows = this.#db.prepare(`SELECT name AS k, last_id AS v FROM intel_watermarks
      UNION ALL SELECT 'enrichment', COALESCE(MAX(id), 0) FROM ip_enrichment
      UNION ALL SELECT 'erased', value FROM counters WHERE name = '${ERASED_COUNTER}' ORDER BY 1`).all();
    const records = rows.filter((r) => r.k !== 'erased').map((r) => `${String(r.k)}=${String(r.v)}`).join(' ');
    return { records, erased: String(rows.find((r) => r.k === 'erased')?.v ?? 0) };
  }
  dossierDeliveries(ip: string, limit: number): DossierDelivery[] { return dossierRecords(this.#db, ip, limit).deliveries; }
  dossierAnnounces(ip: string, limit: number): DossierAnnounce[] { return dossierRecords(this.#db, ip, limit).announces; }
  dossierPresence(ip: string, limit: number): DossierPresence[] { return dossierRecords(this.#db, ip, limit).presence; }
  dossierRecords(ip: string, limit: number): DossierRecords { return dossierRecords(this.#db, ip, limit); }
  syntheticWriter(): SyntheticWriter {
    if (this.purpose() !== 'synthetic') throw new InputError('synthetic records go only into a data directory marked synthetic');
    return this.#writer();
  }
  lastActivityAt(): number | undefined { return lastActivityAt(this.#db); }
}

import type { DatabaseSync } from 'node:sqlite';
import type { Enrichment, GeoDatabase } from '../../../domain/enrichment.ts';
import type {
  ActivityRow, CohortCount, DataPurpose, DecoyLifetime, DeviceEstimate, DimensionRow, DossierAnnounce, DossierDelivery, DossierPresence,
  IntelFilter, IntelligenceStore, IpDimension, Period, StoredEnrichment,
} from '../../intelligence.ts';
import { cohorts } from './cohort-queries.ts';
import { dossierAnnounces, dossierDeliveries, dossierPresence, lastActivityAt } from './dossier-queries.ts';
import { EnrichmentTables } from './enrichment-tables.ts';
import { Rollups } from './rollups.ts';
import { StatsQueries } from './stats-queries.ts';
import { SqliteSyntheticWriter } from './synthetic-writer.ts';
import type { SyntheticWriter } from '../../synthetic.ts';
import { InputError } from '../../../domain/errors.ts';

/** IntelligenceStore over the SQLite store's connection. */
export class SqliteIntelStore implements IntelligenceStore {
  readonly #db: DatabaseSync;
  readonly #enrichment: EnrichmentTables;
  readonly #rollups: Rollups;
  readonly #stats: StatsQueries;

  constructor(db: DatabaseSync) {
    this.#db = db;
    this.#enrichment = new EnrichmentTables(db);
    this.#rollups = new Rollups(db);
    this.#stats = new StatsQueries(db);
  }

  purpose(): DataPurpose | undefined { return this.#enrichment.purpose(); }
  setPurpose(purpose: DataPurpose, note: string, at: number): void { this.#enrichment.setPurpose(purpose, note, at); }
  recordDatabases(dbs: readonly GeoDatabase[], at: number): void { this.#enrichment.recordDatabases(dbs, at); }
  databases(): GeoDatabase[] { return this.#enrichment.databases(); }
  unenrichedIps(limit: number): string[] { return this.#enrichment.unenrichedIps(limit); }
  knownIps(afterIp: string, limit: number): string[] { return this.#enrichment.knownIps(afterIp, limit); }
  saveEnrichments(rows: readonly Enrichment[]): void {
    this.#db.exec('BEGIN IMMEDIATE');
    try { this.#enrichment.saveEnrichments(rows); this.#db.exec('COMMIT'); } catch (e) { if (this.#db.isTransaction) this.#db.exec('ROLLBACK'); throw e; }
  }
  enrichmentHistory(ip: string): StoredEnrichment[] { return this.#enrichment.enrichmentHistory(ip); }
  refreshRollups(): { deliveries: number; announces: number } { return this.#rollups.refresh(); }
  activity(filter: IntelFilter, period: Period): ActivityRow[] { return this.#stats.activity(filter, period); }
  uniqueIpsBy(filter: IntelFilter, period: Period, dimension: IpDimension): DimensionRow[] { return this.#stats.uniqueIpsBy(filter, period, dimension); }
  uniqueIpsByArea(filter: IntelFilter): { country: string; countyNumber: string | null; countyName: string | null; ips: number }[] { return this.#stats.uniqueIpsByArea(filter); }
  weeklyIpsByMunicipalityRollup(from: number, to: number): DimensionRow[] { return this.#stats.weeklyIpsByMunicipalityRollup(from, to); }
  decoyLifetimes(filter: Omit<IntelFilter, 'from' | 'to'>): DecoyLifetime[] { return this.#stats.decoyLifetimes(filter); }
  deviceEstimate(filter: IntelFilter, top: number): DeviceEstimate { return this.#stats.deviceEstimate(filter, top); }
  cohorts(from: number, to: number, horizonsDays: readonly number[], groupBy: 'none' | 'campaign' | 'language' | 'format', dataEnd: number): CohortCount[] {
    return cohorts(this.#db, from, to, horizonsDays, groupBy, dataEnd);
  }
  dossierDeliveries(ip: string, limit: number): DossierDelivery[] { return dossierDeliveries(this.#db, ip, limit); }
  dossierAnnounces(ip: string, limit: number): DossierAnnounce[] { return dossierAnnounces(this.#db, ip, limit); }
  dossierPresence(ip: string, limit: number): DossierPresence[] { return dossierPresence(this.#db, ip, limit); }
  syntheticWriter(): SyntheticWriter {
    if (this.purpose() !== 'synthetic') throw new InputError('synthetic records go only into a data directory marked synthetic');
    return new SqliteSyntheticWriter(this.#db);
  }
  lastActivityAt(): number | undefined { return lastActivityAt(this.#db); }
}

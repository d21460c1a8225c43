import type { Enrichment, GeoDatabase } from '../domain/enrichment.ts';
import type { SyntheticWriter } from './synthetic.ts';

/**
 * The intelligence queries (issue 11): what the analysis use cases need from storage. The SQLite
 * store implements them in sqlite/intel/; a PostgreSQL store implements the same interface. All
 * times are UTC ms; all buckets are UTC (day 'YYYY-MM-DD', week = its Monday 'YYYY-MM-DD', month
 * 'YYYY-MM', year 'YYYY').
 */
import type { DataPurpose } from '../domain/data-purpose.ts';

export type { DataPurpose };
export type Period = 'day' | 'week' | 'month' | 'year';
/** The periods the rollups keep (a day's (bucket, address) pairs would be nearly one per delivery). */
export type RollupPeriod = Exclude<Period, 'day'>;
export type IpDimension = 'country' | 'county' | 'municipality' | 'asn' | 'client';

export interface IntelFilter {
  /** [from, to) in UTC ms. */
  readonly from: number;
  readonly to: number;
  readonly campaignId?: number;
  readonly format?: string;
  readonly language?: string;
  /** 'bittorrent' (the only network with deliveries today). */
  readonly network?: string;
}

export interface ActivityRow {
  readonly bucket: string;
  /** Sessions that were not metadata-only. */
  readonly deliveries: number;
  readonly completed: number;
  readonly bytes: number;
  /** Metadata-only sessions (crawlers, indexers): counted here and left out of every IP figure. */
  readonly metadataOnly: number;
  /** Distinct IPs with a delivery that was not metadata-only. */
  readonly uniqueIps: number;
}

/** Keys that are not a place: the store uses these for addresses without one. */
export const NOT_ENRICHED = '(not enriched)';
export const NOT_PLACEABLE = '(not placeable)';
export const OUTSIDE_NORWAY = '(outside Norway)';
export const UNKNOWN = '(unknown)';

export interface DimensionRow {
  readonly bucket: string;
  /** Country code, county or municipality number, ASN, client name; or one of the keys above. */
  readonly key: string;
  readonly label: string;
  readonly ips: number;
}

export interface DecoyLifetime {
  readonly decoyId: number;
  readonly publishedAt: number;
  /** Retirement time when the campaign's TTL says, else undefined (status tells whether it is retired now). */
  readonly retiresAt?: number;
  readonly status: 'active' | 'retired';
}

export interface DeviceEvidence {
  readonly ip: string;
  readonly sessions: number;
  readonly peerIds: number;
  readonly clientVersions: number;
  readonly listenPorts: number;
  /** Distinct (client version, listen port) pairs. */
  readonly clientPorts: number;
}

export interface DeviceEstimate {
  /** Addresses by estimated devices: [1, 2, 3-5, 6+]. */
  readonly distribution: readonly [number, number, number, number];
  readonly top: readonly DeviceEvidence[];
}

export interface CohortCount {
  /** Monday of the week of first exposure (or first unexposed contact). */
  readonly cohortWeek: string;
  /** Campaign id, language or format of the decoy of first exposure/contact; '' when not grouped. */
  readonly group: string;
  readonly exposed: boolean;
  readonly horizonDays: number;
  /** Addresses whose horizon ended before the data did. */
  readonly eligible: number;
  /** Of those, addresses seen again (delivery or announce, any decoy) at or after first exposure + horizon. */
  readonly returned: number;
}

export interface DossierDelivery {
  readonly id: number; readonly startedAt: number; readonly endedAt: number; readonly decoyId: number; readonly decoyName: string;
  readonly remotePort: number; readonly listenPort: number | null; readonly bytes: number; readonly completed: boolean; readonly metadataOnly: boolean;
  readonly client: string | null; readonly peerId: string; readonly disconnectReason: string;
  /** Evidence log sequence number of the delivery's chained record, when there is one. */
  readonly evidenceSeq: number | null;
}
export interface DossierAnnounce {
  readonly id: number; readonly at: number; readonly infoHash: string; readonly decoyId: number | null; readonly port: number; readonly event: string; readonly left: number;
  readonly evidenceSeq: number | null;
}
export interface DossierPresence { readonly at: number; readonly decoyId: number | null; readonly source: string; readonly port: number; readonly evidenceSeq: number | null }
export interface DossierRecords { readonly deliveries: DossierDelivery[]; readonly announces: DossierAnnounce[]; readonly presence: DossierPresence[] }

export interface StoredEnrichment extends Enrichment { readonly id: number }

export interface IntelligenceStore {
  purpose(): DataPurpose | undefined;
  /** Set once; a different purpose later is refused. */
  setPurpose(purpose: DataPurpose, note: string, at: number): void;

  recordDatabases(dbs: readonly GeoDatabase[], at: number): void;
  databases(): GeoDatabase[];
  /** Addresses (from deliveries and announces, once rolled up) with no enrichment yet, in the order they were first seen, up to `limit`. */
  unenrichedIps(limit: number): string[];
  /** Every known address after `afterIp` (for re-enrichment with newer databases), up to `limit`. */
  knownIps(afterIp: string, limit: number): string[];
  /** Appends to the history and makes these the current assessments. */
  saveEnrichments(rows: readonly Enrichment[]): void;
  enrichmentHistory(ip: string): StoredEnrichment[];

  /**
   * Extends the rollups with the records added since the last refresh; returns how many records it
   * read, and `enrichmentDue` false when no address awaits its first assessment (unenrichedIps would
   * answer none: the caller may skip asking).
   */
  refreshRollups(): { deliveries: number; announces: number; enrichmentDue: boolean };

  activity(filter: IntelFilter, period: Period): ActivityRow[];
  uniqueIpsBy(filter: IntelFilter, period: Period, dimension: IpDimension): DimensionRow[];
  /**
   * Distinct IPs over the whole window per (country, county), for the public map: country is the
   * code or NOT_ENRICHED / NOT_PLACEABLE; county is set for Norway only. Each address is in one row.
   */
  uniqueIpsByArea(filter: IntelFilter): { readonly country: string; readonly countyNumber: string | null; readonly countyName: string | null; readonly ips: number }[];
  /**
   * Unique IPs per week, month or year from the rollups (issue 11 benchmarks: a year in <= 1 s on
   * 10 million deliveries), the same rows as uniqueIpsBy without filters: whole buckets whose
   * first day is in [from, to) only, and no campaign/format/language filter.
   */
  rollupUniqueIps(period: RollupPeriod, dimension: Exclude<IpDimension, 'client'>, from: number, to: number): DimensionRow[];
  /** uniqueIpsByArea over all time (no filter) from the rollups: the same rows, without reading the deliveries (refreshRollups first). */
  rollupUniqueIpsByArea(): { readonly country: string; readonly countyNumber: string | null; readonly countyName: string | null; readonly ips: number }[];
  /** activity() from the rollups, on the same terms as rollupUniqueIps. */
  rollupActivity(period: RollupPeriod, from: number, to: number): ActivityRow[];
  decoyLifetimes(filter: Omit<IntelFilter, 'from' | 'to'>): DecoyLifetime[];
  /**
   * Devices behind one IP: per address in the window, distinct (client version, listen port)
   * pairs of its non-metadata sessions, as a distribution, and the `top` addresses with their
   * distinct peer ids, client versions and listen ports.
   */
  deviceEstimate(filter: IntelFilter, top: number): DeviceEstimate;

  cohorts(from: number, to: number, horizonsDays: readonly number[], groupBy: 'none' | 'campaign' | 'language' | 'format', dataEnd: number): CohortCount[];

  dossierDeliveries(ip: string, limit: number): DossierDelivery[];
  dossierAnnounces(ip: string, limit: number): DossierAnnounce[];
  dossierPresence(ip: string, limit: number): DossierPresence[];
  /** The three sections above in one statement (one round trip on PostgreSQL; the dossier use case reads this). */
  dossierRecords(ip: string, limit: number): DossierRecords;
  /** Bulk writer for `counterseed synth`; only on a store whose purpose is 'synthetic'. */
  syntheticWriter(): SyntheticWriter;
  /** Time of the last delivery or announce, from the rollups (data end for cohorts; refreshRollups first). */
  lastActivityAt(): number | undefined;
  /**
   * A token that changes whenever what cohorts() reads changes: the rollups' watermarks (new
   * deliveries or announces rolled up), the records erased (an erasure removes activity rows), the
   * decoys and campaign items (their groups). Equal tokens: cohorts() gives the same answer, so it
   * can be cached (app/cohorts.ts). Index lookups and a count of campaign items: well under a millisecond.
   */
  cohortDataVersion(): string;
  /**
   * What the all-time public map reads, as two tokens (app/public-map-cache.ts): `records` changes when
   * the rollups take in new deliveries or announces (watermarks) or an address is assessed (highest
   * enrichment id); `erased` when an erasure removes records (the records-erased counter). Index lookups.
   */
  publicMapVersion(): { readonly records: string; readonly erased: string };
}

import type { GeoDatabase } from '../domain/enrichment.ts';
import { Enricher, type IpAssessor } from '../analysis/enrichment/enricher.ts';
import type { DataPurpose } from '../store/intelligence.ts';
import type { Context } from './context.ts';

/** Addresses enriched per transaction. */
const BATCH = 5000;

export interface RefreshResult {
  readonly deliveriesRolledUp: number;
  readonly announcesRolledUp: number;
  readonly enriched: number;
  readonly databases: readonly GeoDatabase[];
  /** 'synthetic' data is marked on every analysis output. */
  readonly purpose: DataPurpose | undefined;
}

/**
 * Brings the analysis tables up to date before a query: rolls up the records added since the last
 * refresh and enriches the addresses that have no assessment yet (issue 11 items 1-2). The geo
 * databases are opened only when there is something to enrich. Enrichment never touches the
 * evidence records or their chain.
 */
export function refreshIntel(ctx: Context, opts: { now?: number; enricher?: IpAssessor } = {}): RefreshResult {
  const intel = ctx.store.intel;
  const rolled = intel.refreshRollups();
  let enriched = 0;
  let enricher: IpAssessor | undefined = opts.enricher;
  // An up-to-date store says in the same round trip that no address awaits assessment (dossier p95 target).
  if (rolled.enrichmentDue) for (;;) {
    const ips = intel.unenrichedIps(BATCH);
    if (ips.length === 0) break;
    if (!enricher) {
      enricher = Enricher.open(ctx.settings.dataDir);
      intel.recordDatabases(enricher.databases, opts.now ?? Date.now());
    }
    const at = opts.now ?? Date.now();
    intel.saveEnrichments(ips.map((ip) => enricher!.enrich(ip, at)));
    enriched += ips.length;
  }
  // The databases are read when asked for (stats prints them; a dossier does not: one round trip less on PostgreSQL).
  let databases: readonly GeoDatabase[] | undefined = enricher?.databases;
  return {
    deliveriesRolledUp: rolled.deliveries, announcesRolledUp: rolled.announces, enriched, purpose: intel.purpose(),
    get databases() { return (databases ??= intel.databases()); },
  };
}

/**
 * Re-assesses every known address with the databases installed now (after `geo import`): each
 * address gains a history row; the old rows stay (issue 11: re-enrichment keeps the history).
 */
export function reenrichAll(ctx: Context, opts: { now?: number; enricher?: IpAssessor } = {}): { enriched: number; databases: readonly GeoDatabase[] } {
  const intel = ctx.store.intel;
  intel.refreshRollups();
  const enricher = opts.enricher ?? Enricher.open(ctx.settings.dataDir);
  const at = opts.now ?? Date.now();
  intel.recordDatabases(enricher.databases, at);
  let after = '';
  let enriched = 0;
  for (;;) {
    const ips = intel.knownIps(after, BATCH);
    if (ips.length === 0) break;
    intel.saveEnrichments(ips.map((ip) => enricher.enrich(ip, at)));
    enriched += ips.length;
    after = ips[ips.length - 1]!;
  }
  return { enriched, databases: enricher.databases };
}

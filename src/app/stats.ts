import type { IpAssessor } from '../analysis/enrichment/enricher.ts';
import { bucketStart, bucketsBetween } from '../analysis/statistics/buckets.ts';
import { PLACEMENT_CAVEAT, type GeoDatabase } from '../domain/enrichment.ts';
import { InputError } from '../domain/errors.ts';
import {
  NOT_PLACEABLE, type ActivityRow, type DataPurpose, type DeviceEstimate, type DimensionRow, type IntelFilter, type IpDimension, type Period, type RollupPeriod,
} from '../store/intelligence.ts';
import type { Context } from './context.ts';

export type { IpDimension, Period } from '../store/intelligence.ts';
import { refreshIntel } from './intel-refresh.ts';

/** Norway's municipalities in the 2024 numbering (Kartverket; assets/geo). */
export const NORWEGIAN_MUNICIPALITIES = 357;
export const IP_DIMENSIONS: readonly IpDimension[] = ['country', 'county', 'municipality', 'asn', 'client'];

export interface StatsInput {
  readonly period: Period;
  readonly from?: number;
  readonly to?: number;
  readonly campaignId?: number;
  readonly format?: string;
  readonly language?: string;
  readonly network?: string;
  /** Unique-IP breakdowns to include. */
  readonly by?: readonly IpDimension[];
  /**
   * Estimate devices behind one IP. Off by default: it is a plain per-address query over every
   * delivery in the window (no rollup can answer it for any window), minutes over a year of
   * millions, and the rest of `stats` answers from the rollups in about a second.
   */
  readonly devices?: boolean;
  /** Addresses listed in the devices-behind-one-IP estimate. */
  readonly top?: number;
  /** Enricher for addresses not yet assessed (default: the installed databases). */
  readonly enricher?: IpAssessor;
}

export interface DecoyBucket { readonly bucket: string; readonly published: number; readonly active: number; readonly retired: number }
export interface MunicipalityReach { readonly bucket: string; readonly reached: number; readonly share: number }

export interface StatsReport {
  /** 'synthetic' data is marked on every output (issue 11 item 6). */
  readonly purpose: DataPurpose | undefined;
  readonly synthetic: boolean;
  readonly timeZone: 'UTC';
  readonly period: Period;
  readonly filter: IntelFilter;
  readonly activity: readonly ActivityRow[];
  readonly decoys: readonly DecoyBucket[];
  readonly ipsBy: Partial<Record<IpDimension, readonly DimensionRow[]>>;
  /** From the municipality breakdown: distinct Norwegian municipalities with at least one IP, and their share of 357. */
  readonly municipalities: readonly MunicipalityReach[];
  /** Addresses that cannot be placed (documentation, private, loopback...): counted, never placed. */
  readonly notPlaceable: readonly { readonly bucket: string; readonly ips: number }[];
  /** When asked for (StatsInput.devices). */
  readonly devices?: DeviceEstimate & { readonly method: string };
  readonly caveats: readonly string[];
  readonly databases: readonly GeoDatabase[];
}

export const DEVICE_METHOD = 'Devices behind one IP, estimated per address over the whole window from its non-metadata-only sessions: '
  + 'the number of distinct (client version, listen port) pairs. Peer ids are shown but not used: most clients make a new one at every start, '
  + 'so they count restarts, not devices. Two devices with the same client version and port count as one (an underestimate); '
  + 'a device that changes its port counts twice (an overestimate).';

/**
 * `counterseed stats` (issue 11 item 2): the published figures, per day/week/month/year (UTC),
 * filtered by campaign, decoy format, language and network. Metadata-only sessions are counted
 * apart and left out of every IP figure. The analysis tables are refreshed first.
 */
export function stats(ctx: Context, input: StatsInput): StatsReport {
  const f: IntelFilter = {
    from: input.from ?? 0, to: input.to ?? 8.64e15,
    ...(input.campaignId !== undefined ? { campaignId: input.campaignId } : {}), ...(input.format !== undefined ? { format: input.format } : {}),
    ...(input.language !== undefined ? { language: input.language } : {}), ...(input.network !== undefined ? { network: input.network } : {}),
  };
  if (f.to <= f.from) throw new InputError('--to must be after --from');
  const refreshed = refreshIntel(ctx, input.enricher ? { enricher: input.enricher } : {});
  const intel = ctx.store.intel;
  const rollup = rollupPeriod(f, input.period);
  const activity = rollup ? intel.rollupActivity(rollup, f.from, f.to) : intel.activity(f, input.period);
  const dims = new Set<IpDimension>(input.by ?? []);
  const ipsBy: Partial<Record<IpDimension, readonly DimensionRow[]>> = {};
  for (const d of IP_DIMENSIONS) {
    // The municipality and country breakdowns are always computed: municipalities reached and addresses not placeable come from them.
    if (!dims.has(d) && d !== 'municipality' && d !== 'country') continue;
    ipsBy[d] = rollup && d !== 'client' ? intel.rollupUniqueIps(rollup, d, f.from, f.to) : intel.uniqueIpsBy(f, input.period, d);
  }
  const reach = new Map<string, number>();
  for (const r of ipsBy.municipality ?? []) if (/^\d{4}$/.test(r.key)) reach.set(r.bucket, (reach.get(r.bucket) ?? 0) + 1);
  const municipalities = [...reach].map(([bucket, reached]) => ({ bucket, reached, share: reached / NORWEGIAN_MUNICIPALITIES }));
  const notPlaceable = (ipsBy.country ?? []).filter((r) => r.key === NOT_PLACEABLE).map((r) => ({ bucket: r.bucket, ips: r.ips }));
  if (!dims.has('municipality')) delete ipsBy.municipality;
  if (!dims.has('country')) delete ipsBy.country;
  const purpose = refreshed.purpose;
  return {
    purpose, synthetic: purpose === 'synthetic', timeZone: 'UTC', period: input.period, filter: f,
    activity, decoys: decoyBuckets(ctx, f, input.period, activity), ipsBy, municipalities, notPlaceable,
    ...(input.devices ? { devices: { ...intel.deviceEstimate(f, input.top ?? 10), method: DEVICE_METHOD } } : {}),
    caveats: [PLACEMENT_CAVEAT, 'Unique IPs are addresses, not people: CGNAT puts many subscribers behind one address, and dynamic addresses give one subscriber many.'],
    databases: refreshed.databases,
  };
}

/**
 * The rollup period that answers this query, if one does: week, month or year, no campaign,
 * format or language filter, and a window of whole buckets (issue 11 benchmark: weekly unique
 * IPs by municipality over a year in <= 1 s at 10 million deliveries; the plain queries are the
 * reference in bench/intel.bench.ts). Otherwise the plain queries over the deliveries answer.
 */
function rollupPeriod(f: IntelFilter, period: Period): RollupPeriod | undefined {
  if (period === 'day' || !timeOnlyFilter(f)) return undefined;
  const whole = (t: number) => t === 0 || t === 8.64e15 || bucketStart(t, period) === t;
  return whole(f.from) && whole(f.to) ? period : undefined;
}

const timeOnlyFilter = (f: IntelFilter) => f.campaignId === undefined && f.format === undefined && f.language === undefined && (f.network === undefined || f.network === 'bittorrent');

/** Decoys published, active (at any time in the bucket) and retired, per bucket from the first publication to the last activity. */
function decoyBuckets(ctx: Context, f: IntelFilter, period: Period, activity: readonly ActivityRow[]): DecoyBucket[] {
  const lives = ctx.store.intel.decoyLifetimes(f);
  if (lives.length === 0) return [];
  const first = Math.max(f.from, Math.min(...lives.map((l) => l.publishedAt)));
  const lastActivity = activity.length > 0 ? Date.parse(`${activity[activity.length - 1]!.bucket.padEnd(10, '-01').slice(0, 10)}T00:00:00Z`) + 1 : first + 1;
  const last = Math.min(f.to, Math.max(lastActivity, ...lives.map((l) => l.publishedAt + 1)));
  return bucketsBetween(first, last, period).map((b) => ({
    bucket: b.label,
    published: lives.filter((l) => l.publishedAt >= b.start && l.publishedAt < b.end).length,
    // A decoy retired by hand has no retirement time: it counts as active in no bucket (an undercount, never an invented date).
    active: lives.filter((l) => l.publishedAt < b.end && (l.retiresAt === undefined ? l.status === 'active' : l.retiresAt > b.start)).length,
    retired: lives.filter((l) => l.retiresAt !== undefined && l.retiresAt >= b.start && l.retiresAt < b.end).length,
  }));
}

import type { IpAssessor } from '../analysis/enrichment/enricher.ts';
import { normalizeIp } from '../analysis/enrichment/ip-address.ts';
import { PLACEMENT_CAVEAT } from '../domain/enrichment.ts';
import { InputError } from '../domain/errors.ts';
import type { DataPurpose, DossierAnnounce, DossierDelivery, DossierPresence, StoredEnrichment } from '../store/intelligence.ts';
import type { Context } from './context.ts';
import { refreshIntel } from './intel-refresh.ts';

const DAY = 86_400_000;

export interface DossierInput {
  readonly ip: string;
  /** Rows per section (deliveries, announces, swarm presence); default 1000. */
  readonly limit?: number;
  readonly enricher?: IpAssessor;
}

export interface Dossier {
  readonly ip: string;
  readonly purpose: DataPurpose | undefined;
  readonly synthetic: boolean;
  readonly timeZone: 'UTC';
  readonly firstSeen: number | undefined;
  readonly lastSeen: number | undefined;
  readonly firstExposure: number | undefined;
  /** UTC days after the first exposure on which the address was seen again, with the days since exposure. */
  readonly returnsAfterWarning: readonly { readonly day: string; readonly daysAfter: number; readonly deliveries: number; readonly announces: number }[];
  readonly deliveries: readonly DossierDelivery[];
  readonly announces: readonly DossierAnnounce[];
  readonly presence: readonly DossierPresence[];
  readonly enrichment: readonly StoredEnrichment[];
  /** A section reached the limit: there is more. */
  readonly truncated: boolean;
  readonly caveats: readonly string[];
}

/**
 * `counterseed dossier IP` (issue 11 item 3): everything recorded about one address, each line
 * with the evidence record (log sequence number) that backs it, and the enrichment history.
 */
export function dossier(ctx: Context, input: DossierInput): Dossier {
  const ip = normalizeIp(input.ip);
  if (ip === undefined) throw new InputError(`not an IP address: ${input.ip}`);
  const limit = input.limit ?? 1000;
  const refreshed = refreshIntel(ctx, input.enricher ? { enricher: input.enricher } : {});
  const intel = ctx.store.intel;
  const { deliveries, announces, presence } = intel.dossierRecords(ip, limit);
  const times = [...deliveries.flatMap((d) => [d.startedAt, d.endedAt]), ...announces.map((a) => a.at), ...presence.map((p) => p.at)];
  const firstExposure = deliveries.find((d) => d.completed && !d.metadataOnly)?.startedAt;
  const days = new Map<string, { daysAfter: number; deliveries: number; announces: number }>();
  if (firstExposure !== undefined) {
    const note = (t: number, kind: 'deliveries' | 'announces') => {
      if (t <= firstExposure) return;
      const day = new Date(t).toISOString().slice(0, 10);
      const e = days.get(day) ?? { daysAfter: Math.floor((t - firstExposure) / DAY), deliveries: 0, announces: 0 };
      e[kind]++;
      days.set(day, e);
    };
    for (const d of deliveries) note(d.startedAt, 'deliveries');
    for (const a of announces) note(a.at, 'announces');
  }
  return {
    ip, purpose: refreshed.purpose, synthetic: refreshed.purpose === 'synthetic', timeZone: 'UTC',
    firstSeen: times.length ? Math.min(...times) : undefined, lastSeen: times.length ? Math.max(...times) : undefined, firstExposure,
    returnsAfterWarning: [...days].map(([day, v]) => ({ day, ...v })).sort((a, b) => a.day.localeCompare(b.day)),
    deliveries, announces, presence, enrichment: intel.enrichmentHistory(ip),
    truncated: deliveries.length >= limit || announces.length >= limit || presence.length >= limit,
    caveats: [PLACEMENT_CAVEAT, 'An IP address is not a person or a household: CGNAT shares it, dynamic addressing reassigns it.'],
  };
}

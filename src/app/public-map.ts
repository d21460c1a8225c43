import { readFileSync } from 'node:fs';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import type { FeatureCollection, Geometry } from 'geojson';
import type { IpAssessor } from '../analysis/enrichment/enricher.ts';
import { locateDatabases } from '../analysis/enrichment/sources.ts';
import { renderMapSvg } from '../analysis/map/render-svg.ts';
import { suppress, type Cell } from '../analysis/map/suppress.ts';
import { NOT_ENRICHED, NOT_PLACEABLE, type IntelFilter } from '../store/intelligence.ts';
import type { Context } from './context.ts';
import { refreshIntel } from './intel-refresh.ts';

export const MAP_ATTRIBUTION = [
  'County boundaries © Kartverket (CC BY 4.0)',
  'IP geolocation by DB-IP (db-ip.com, CC BY 4.0); AS data: RouteViews, DB-IP via ip-location-db',
];

export interface PublicMapInput { readonly filter?: Partial<IntelFilter>; readonly k: number; readonly title?: string; readonly enricher?: IpAssessor }

export interface PublicMap {
  readonly synthetic: boolean;
  readonly k: number;
  /** Country level: accurate (issue 11 item 5). */
  readonly countries: readonly Cell[];
  /** Within Norway: counties only, never finer. */
  readonly norwayCounties: readonly Cell[];
  /** Addresses that cannot be placed or were not assessed: counted, not mapped. */
  readonly notPlaced: number;
  readonly geojson: FeatureCollection;
  readonly svg: string;
}

/** No window and no filter (the web page's map): the rollup answers it without reading the deliveries. */
const allTime = (f: IntelFilter) => f.from <= 0 && f.to >= 8.64e15 && f.campaignId === undefined && f.format === undefined && f.language === undefined
  && (f.network === undefined || f.network === 'bittorrent');

/**
 * Public map data (issue 11 item 5): distinct IPs per country and, within Norway, per county,
 * with every cell under k withheld (and a second one where subtraction would reveal the first).
 * No address, municipality or coordinate leaves this function. GeoJSON for the web page and a
 * static SVG, both drawn from the bundled boundaries without network.
 */
export function publicMap(ctx: Context, input: PublicMapInput): PublicMap {
  const refreshed = refreshIntel(ctx, input.enricher ? { enricher: input.enricher } : {});
  const f: IntelFilter = { from: 0, to: 8.64e15, ...input.filter };
  const rows = allTime(f) ? ctx.store.intel.rollupUniqueIpsByArea() : ctx.store.intel.uniqueIpsByArea(f);
  const byCountry = new Map<string, number>();
  let notPlaced = 0;
  for (const r of rows) {
    if (r.country === NOT_PLACEABLE || r.country === NOT_ENRICHED) { notPlaced += r.ips; continue; }
    byCountry.set(r.country, (byCountry.get(r.country) ?? 0) + r.ips);
  }
  const countries = suppress([...byCountry].map(([key, ips]) => ({ key, label: key, ips })).sort((a, b) => b.ips - a.ips), input.k, false);
  const norwayShown = countries.find((c) => c.key === 'NO')?.ips !== null && byCountry.has('NO');
  const topo = JSON.parse(readFileSync(locateDatabases(undefined).counties, 'utf8')) as Topology;
  const shapes = feature(topo, topo.objects['Fylker'] as GeometryCollection) as FeatureCollection<Geometry, { fylkesnummer: string; fylkesnavn: string }>;
  const counts = new Map(rows.filter((r) => r.country === 'NO').map((r) => [r.countyNumber ?? '?', r.ips]));
  // Every county is a cell, also those with no IP (0 < k: withheld like any small count).
  const norwayCounties = suppress(shapes.features.map((s) => ({ key: s.properties.fylkesnummer, label: s.properties.fylkesnavn, ips: counts.get(s.properties.fylkesnummer) ?? 0 })), input.k, norwayShown);
  const cell = new Map(norwayCounties.map((c) => [c.key, c]));
  const counties: FeatureCollection<Geometry, { number: string; name: string; ips: number | null; suppressed: boolean }> = {
    type: 'FeatureCollection',
    features: shapes.features.map((s) => ({ type: 'Feature', geometry: s.geometry, properties: { number: s.properties.fylkesnummer, name: s.properties.fylkesnavn, ips: cell.get(s.properties.fylkesnummer)!.ips, suppressed: cell.get(s.properties.fylkesnummer)!.suppressed } })),
  };
  const synthetic = refreshed.purpose === 'synthetic';
  const title = input.title ?? `${synthetic ? 'SYNTHETIC: ' : ''}Addresses that received a warning`;
  const geojson = {
    ...counties,
    // Foreign members (RFC 7946 §6.1): what the numbers are, and the country level.
    counterseed: { synthetic, k: input.k, countries, notPlaced, attribution: MAP_ATTRIBUTION, from: f.from, to: f.to,
      note: 'Distinct IP addresses with a delivery (metadata-only sessions excluded). Country accurate; within Norway aggregated to county. Cells under k withheld.' },
  } as FeatureCollection;
  return { synthetic, k: input.k, countries, norwayCounties, notPlaced, geojson, svg: renderMapSvg({ counties, title, k: input.k, synthetic, attribution: MAP_ATTRIBUTION, countries }) };
}

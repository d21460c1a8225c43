import { readFileSync } from 'node:fs';
import { geoMercator, geoPath } from 'd3-geo';
import type { FeatureCollection, Geometry } from 'geojson';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import { locateDatabases } from '../../analysis/enrichment/sources.ts';
import { windForD3 } from '../../analysis/map/render-svg.ts';
import { html, type Raw } from './html.ts';

const W = 560, H = 780;
const SHADES = ['#deebf7', '#9ecae1', '#6baed6', '#3182bd', '#08519c'];
/** Below this many addresses a municipality's count is mostly placement error (PLACEMENT_CAVEAT): drawn hatched. */
export const FEW = 5;

interface Shape { readonly no: string; readonly name: string; readonly d: string; readonly cx: number; readonly cy: number }
let shapes: Shape[] | undefined;

/** The 357 municipalities (Kartverket 2024, assets/geo), projected once per process: the geometry never changes. */
function municipalityShapes(): Shape[] {
  if (shapes) return shapes;
  const topo = JSON.parse(readFileSync(locateDatabases(undefined).municipalities, 'utf8')) as Topology;
  const fc = feature(topo, topo.objects['Kommuner'] as GeometryCollection) as FeatureCollection<Geometry, { kommunenummer: string; kommunenavn: string }>;
  const wound = { ...fc, features: fc.features.map(windForD3) };
  const path = geoPath(geoMercator().fitExtent([[10, 10], [W - 10, H - 10]], wound)).digits(1);
  shapes = wound.features.map((f) => { const [cx, cy] = path.centroid(f); return { no: f.properties.kommunenummer, name: f.properties.kommunenavn, d: path(f) ?? '', cx, cy }; });
  return shapes;
}

/**
 * The internal map (issue 13 §2): distinct addresses per municipality, with the uncertainty drawn:
 * municipalities with fewer than FEW addresses are hatched (their count is mostly placement error),
 * and every tooltip says the figure is an estimate. No address is shown; nothing is suppressed (internal).
 */
export function municipalityMap(counts: ReadonlyMap<string, number>, title: string): Raw {
  const all = municipalityShapes();
  const shown = [...counts.values()].filter((v) => v >= FEW).sort((a, b) => a - b);
  // Quantile class limits, each once (few municipalities give repeated quantiles).
  const breaks = [...new Set([0.2, 0.4, 0.6, 0.8].map((q) => shown[Math.floor(q * (shown.length - 1))] ?? FEW))];
  const fill = (v: number) => (v === 0 ? '#fff' : v < FEW ? 'url(#few)' : SHADES[breaks.filter((b) => v > b).length]!);
  const paths = all.map((s) => {
    const v = counts.get(s.no) ?? 0;
    return html`<path d="${s.d}" fill="${fill(v)}" stroke="#555" stroke-width="0.3"><title>${s.name} (${s.no}): ${v} addresses (estimate${v > 0 && v < FEW ? '; fewer than 5: mostly placement error' : ''})</title></path>`;
  });
  const limits = [FEW, ...breaks];
  const legend = limits.map((lo, i) => html`<rect x="330" y="${H - 120 + i * 16}" width="14" height="12" fill="${SHADES[i]!}"/><text x="350" y="${H - 110 + i * 16}" font-size="10">${i === limits.length - 1 ? `> ${i === 0 ? FEW - 1 : lo}` : `${i === 0 ? lo : lo + 1}–${limits[i + 1]}`}</text>`);
  return html`<svg class="map" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${title}"><title>${title}</title>
<defs><pattern id="few" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#f3f3f3"/><line x1="0" y1="0" x2="0" y2="6" stroke="#aaa" stroke-width="2"/></pattern></defs>
<g>${paths}</g>${legend}<rect x="330" y="${H - 36}" width="14" height="12" fill="url(#few)"/><text x="350" y="${H - 26}" font-size="10">1–${FEW - 1}: uncertain</text></svg>`;
}

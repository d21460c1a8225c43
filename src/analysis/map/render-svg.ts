import { geoArea, geoMercator, geoPath } from 'd3-geo';
import type { Feature, FeatureCollection, Geometry, Polygon, Position } from 'geojson';
import { LABEL_FONT, placeLabels, type LabelRequest } from './labels.ts';

export interface MapSvgInput {
  readonly counties: FeatureCollection<Geometry, { number: string; name: string; ips: number | null; suppressed: boolean }>;
  readonly title: string;
  readonly k: number;
  readonly synthetic: boolean;
  readonly attribution: readonly string[];
  readonly countries: readonly { key: string; ips: number | null }[];
}

const W = 640;
const H = 900;
/** Counties are drawn in [20, 70]–[W - 20, H - 170]; their labels stay in this frame, clear of the title above and of the legend, country list and attribution below. */
const MAP_FRAME = { x0: 4, y0: 60, x1: W - 4, y1: H - 162 };
const LIST_X = 200;
const SHADES = ['#deebf7', '#9ecae1', '#6baed6', '#3182bd', '#08519c'];
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * A static SVG of Norway's counties (issue 11 item 5), drawn on the server with d3-geo: no
 * browser, no tiles, no network. Counts in five classes by quantile; suppressed counties hatched.
 */
export function renderMapSvg(input: MapSvgInput): string {
  const m = { ...input, counties: { ...input.counties, features: input.counties.features.map(windForD3) } };
  const projection = geoMercator().fitExtent([[20, 70], [W - 20, H - 170]], m.counties);
  const path = geoPath(projection);
  const shown = m.counties.features.map((f) => f.properties.ips).filter((x): x is number => x !== null).sort((a, b) => a - b);
  const breaks = [0.2, 0.4, 0.6, 0.8].map((q) => shown[Math.floor(q * (shown.length - 1))] ?? 0);
  const shade = (v: number) => SHADES[breaks.filter((b) => v > b).length]!;
  const labelOf = (ips: number | null) => (ips === null ? `< ${m.k}` : ips.toLocaleString('en-US'));
  const county = (f: Feature<Geometry, { number: string; name: string; ips: number | null; suppressed: boolean }>) =>
    `<path d="${path(f) ?? ''}" fill="${f.properties.ips === null ? 'url(#hatch)' : shade(f.properties.ips)}" stroke="#333" stroke-width="0.5"><title>${esc(f.properties.name)}: ${esc(labelOf(f.properties.ips))}</title></path>`;
  const boxOf = (f: Feature) => { const [[x0, y0], [x1, y1]] = path.bounds(f); return { x0, y0, x1, y1 }; };
  const requests: LabelRequest[] = m.counties.features.flatMap((f) => {
    const [cx, cy] = path.centroid(f);
    if (!Number.isFinite(cx) || !Number.isFinite(cy)) return [];
    const text = labelOf(f.properties.ips);
    // "Finnmark - Finnmárku - Finmarkku": the first of the official names is enough beside a leader line.
    return [{ key: f.properties.number, text, marginText: `${f.properties.name.split(' - ')[0]}: ${text}`, cx, cy, area: path.area(f), bounds: boxOf(f) }];
  });
  const shapes = m.counties.features.map(boxOf).filter((b) => Number.isFinite(b.x0));
  // Labels after all shapes (a later shape would cover an earlier label), with a white halo so they read on the dark classes too.
  const labels = placeLabels(requests, shapes, MAP_FRAME).map((l) => (l.leader ? `<line x1="${l.leader.x1.toFixed(1)}" y1="${l.leader.y1.toFixed(1)}" x2="${l.leader.x2.toFixed(1)}" y2="${l.leader.y2.toFixed(1)}" stroke="#333" stroke-width="0.6"/><circle cx="${l.leader.x1.toFixed(1)}" cy="${l.leader.y1.toFixed(1)}" r="1.5" fill="#333"/>` : '')
    + `<text x="${l.x.toFixed(1)}" y="${l.y.toFixed(1)}" font-size="${LABEL_FONT}" text-anchor="${l.anchor}" stroke="#fff" stroke-width="2.5" stroke-opacity="0.8" paint-order="stroke">${esc(l.text)}</text>`).join('\n');
  // Other countries: below the map, right of the legend, in two columns of four; no county reaches there.
  const abroad = m.countries.filter((c) => c.key !== 'NO').slice(0, 8).map((c, i) => `<text x="${LIST_X + Math.floor(i / 4) * 130}" y="${H - 124 + (i % 4) * 14}" font-size="11">${esc(c.key)}: ${esc(labelOf(c.ips))}</text>`).join('');
  return `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif">
<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#eee"/><line x1="0" y1="0" x2="0" y2="6" stroke="#999" stroke-width="2"/></pattern></defs>
<rect width="${W}" height="${H}" fill="#fff"/>
<text x="20" y="30" font-size="16" font-weight="bold">${esc(m.title)}</text>
<text x="20" y="50" font-size="11">Distinct IP addresses per county. Hatched: fewer than ${m.k} (withheld).</text>
${m.synthetic ? `<text x="${W / 2}" y="${H / 2}" font-size="64" fill="#c00" fill-opacity="0.25" text-anchor="middle" transform="rotate(-30 ${W / 2} ${H / 2})">SYNTHETIC DATA</text>` : ''}
<g>${m.counties.features.map(county).join('\n')}</g>
<g>${labels}</g>
<text x="${LIST_X}" y="${H - 140}" font-size="11" font-weight="bold">Other countries</text>${abroad}
${SHADES.map((c, i) => `<rect x="20" y="${H - 150 + i * 16}" width="14" height="12" fill="${c}"/><text x="40" y="${H - 140 + i * 16}" font-size="10">${i === 0 ? `≤ ${breaks[0]}` : i === 4 ? `> ${breaks[3]}` : `${breaks[i - 1]}–${breaks[i]}`}</text>`).join('')}
${m.attribution.map((a, i) => `<text x="20" y="${H - 50 + i * 14}" font-size="10">${esc(a)}</text>`).join('\n')}
</svg>
`;
}

/**
 * d3-geo draws on the sphere, where a ring's orientation says which side is inside: it wants
 * outer rings clockwise, the opposite of GeoJSON's right-hand rule (RFC 7946 §3.1.6) that the
 * Kartverket TopoJSON follows. Read as given, each county is "the whole Earth minus the county"
 * (area ~4π). Each polygon whose area exceeds a hemisphere gets its rings reversed.
 */
export function windForD3<P>(f: Feature<Geometry, P>): Feature<Geometry, P> {
  const fix = (rings: Position[][]): Position[][] => {
    const poly: Polygon = { type: 'Polygon', coordinates: rings };
    return geoArea(poly) > 2 * Math.PI ? rings.map((r) => [...r].reverse()) : rings;
  };
  const g = f.geometry;
  if (g.type === 'Polygon') return { ...f, geometry: { type: 'Polygon', coordinates: fix(g.coordinates) } };
  if (g.type === 'MultiPolygon') return { ...f, geometry: { type: 'MultiPolygon', coordinates: g.coordinates.map(fix) } };
  return f;
}

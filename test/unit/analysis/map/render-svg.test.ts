import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import type { FeatureCollection, Geometry } from 'geojson';
import { locateDatabases } from '../../../../src/analysis/enrichment/sources.ts';
import { renderMapSvg, type MapSvgInput } from '../../../../src/analysis/map/render-svg.ts';

/** Counts per county as in the 10,000,000-delivery synthetic trial, whose map had overlapping labels. */
const TRIAL: Record<string, number> = {
  '03': 136996, '11': 24359, '15': 6839, '18': 10910, '31': 13575, '32': 115454, '33': 7842, '34': 27144,
  '39': 10339, '40': 12294, '42': 20280, '46': 26379, '50': 28416, '55': 7707, '56': 1771,
};
const ABROAD = [['NO', 450306], ['US', 28119], ['GB', 6406], ['NL', 5342], ['BR', 4836], ['RU', 4475], ['DE', 4277], ['DK', 4112], ['CN', 4059]] as const;
const K = 10;

function input(ipsOf: (no: string) => number | null, countries: readonly { key: string; ips: number | null }[]): MapSvgInput {
  const topo = JSON.parse(readFileSync(locateDatabases(undefined).counties, 'utf8')) as Topology;
  const shapes = feature(topo, topo.objects['Fylker'] as GeometryCollection) as FeatureCollection<Geometry, { fylkesnummer: string; fylkesnavn: string }>;
  return {
    counties: { type: 'FeatureCollection', features: shapes.features.map((s) => ({ type: 'Feature', geometry: s.geometry, properties: { number: s.properties.fylkesnummer, name: s.properties.fylkesnavn, ips: ipsOf(s.properties.fylkesnummer), suppressed: ipsOf(s.properties.fylkesnummer) === null } })) },
    title: 'SYNTHETIC: Addresses that received a warning', k: K, synthetic: true,
    attribution: ['County boundaries © Kartverket (CC BY 4.0)', 'IP geolocation by DB-IP (db-ip.com, CC BY 4.0)'],
    countries,
  };
}

interface Text { readonly content: string; readonly box: { x0: number; y0: number; x1: number; y1: number } }
const unescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');
/**
 * Every text of the drawing with a generous box: 0.8 em per character (0.35 em for , . : and space),
 * wider than DejaVu Sans' digits (0.64 em); 0.8 em above the baseline, 0.25 em below. The rotated
 * SYNTHETIC watermark is meant to lie across everything and is left out.
 */
function texts(svg: string): Text[] {
  return [...svg.matchAll(/<text ([^>]*)>([^<]*)<\/text>/g)].filter((m) => !m[1]!.includes('transform=')).map((m) => {
    const attr = (n: string) => new RegExp(`(?:^| )${n}="([^"]*)"`).exec(m[1]!)?.[1];
    const content = unescape(m[2]!);
    const fs = Number(attr('font-size')), x = Number(attr('x')), y = Number(attr('y'));
    let w = 0;
    for (const ch of content) w += (',.: '.includes(ch) ? 0.35 : 0.8) * fs;
    const x0 = attr('text-anchor') === 'middle' ? x - w / 2 : attr('text-anchor') === 'end' ? x - w : x;
    return { content, box: { x0, y0: y - 0.8 * fs, x1: x0 + w, y1: y + 0.25 * fs } };
  });
}
const overlap = (a: Text['box'], b: Text['box']) => a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;

function assertNoOverlap(svg: string): void {
  const all = texts(svg);
  assert.ok(all.length > 20, 'the drawing has its texts');
  for (let i = 0; i < all.length; i++) {
    for (let j = i + 1; j < all.length; j++) assert.ok(!overlap(all[i]!.box, all[j]!.box), `"${all[i]!.content}" overlaps "${all[j]!.content}"`);
  }
  // A leader line may cross county shapes, never a text other than the one it leads to (its end is at that text's left edge).
  for (const m of svg.matchAll(/<line x1="([\d.]+)" y1="([\d.]+)" x2="([\d.]+)" y2="([\d.]+)"/g)) {
    const [x1, y1, x2, y2] = [m[1], m[2], m[3], m[4]].map(Number) as [number, number, number, number];
    const len = Math.hypot(x2 - x1, y2 - y1);
    for (let s = 0; s <= len - 3; s += 0.5) {
      const px = x1 + ((x2 - x1) * s) / len, py = y1 + ((y2 - y1) * s) / len;
      const hit = all.find((t) => px > t.box.x0 && px < t.box.x1 && py > t.box.y0 && py < t.box.y1);
      assert.equal(hit, undefined, `a leader line crosses "${hit?.content}"`);
    }
  }
}

describe('public map SVG: labels', () => {
  it('at the 10M trial\'s counts no two texts overlap (county counts, other-countries list, legend, title, attribution), and every county is labelled', () => {
    const svg = renderMapSvg(input((no) => TRIAL[no] ?? 0, ABROAD.map(([key, ips]) => ({ key, ips }))));
    assertNoOverlap(svg);
    const printed = texts(svg).map((t) => t.content);
    for (const [no, n] of Object.entries(TRIAL)) {
      assert.ok(printed.some((t) => t === n.toLocaleString('en-US') || t.endsWith(`: ${n.toLocaleString('en-US')}`)), `county ${no}'s count ${n} is on the map`);
    }
    for (const [key, n] of ABROAD.slice(1)) assert.ok(printed.includes(`${key}: ${n.toLocaleString('en-US')}`), `${key} in the other-countries list`);
  });

  it('with seven-digit counts and withheld counties, still no overlap; withheld counts print as "< k" only', () => {
    const withheld = new Set(['03', '39', '56']);
    const big = (no: string) => (withheld.has(no) ? null : 1_000_000 + Number(no) * 12_345);
    const svg = renderMapSvg(input(big, [{ key: 'US', ips: 2_345_678 }, { key: 'SE', ips: null }, ...ABROAD.slice(2).map(([key, ips]) => ({ key, ips: ips * 300 }))]));
    assertNoOverlap(svg);
    const shown = new Set(Object.keys(TRIAL).filter((no) => !withheld.has(no)).map((no) => big(no)!.toLocaleString('en-US')));
    const countyLabels = [...svg.matchAll(/<text [^>]*font-size="10" text-anchor="(?:middle|start)"[^>]*>([^<]*)<\/text>/g)].map((m) => unescape(m[1]!).replace(/^.*: /, ''));
    assert.ok(countyLabels.length >= 10, `most counties labelled (${countyLabels.length})`);
    for (const l of countyLabels) assert.ok(shown.has(l) || l === `< ${K}`, `label "${l}" is a published count or "< ${K}"`);
    assert.ok(texts(svg).some((t) => t.content === `SE: < ${K}`), 'a withheld country reads "< k"');
    assert.ok(svg.includes('url(#hatch)'), 'withheld counties hatched');
  });

  it('is deterministic: the same input gives the same bytes', () => {
    const a = renderMapSvg(input((no) => TRIAL[no] ?? 0, ABROAD.map(([key, ips]) => ({ key, ips }))));
    const b = renderMapSvg(input((no) => TRIAL[no] ?? 0, ABROAD.map(([key, ips]) => ({ key, ips }))));
    assert.equal(a, b);
    assert.ok(a.includes('SYNTHETIC DATA') && a.includes('Kartverket'), 'watermark and attribution kept');
  });
});

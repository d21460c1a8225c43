import { html, type Raw } from './html.ts';

/**
 * Line charts drawn on the server as SVG (issue 13 §2: charts without a CDN, no script): one
 * category per x position, optional 95% interval bars. Every label goes through `html` (escaped).
 */
export interface Point { readonly x: string; readonly y: number; readonly lo?: number; readonly hi?: number }
export interface Series { readonly label: string; readonly color: string; readonly points: readonly Point[]; readonly dashed?: boolean }
export interface ChartInput {
  readonly title: string;
  readonly series: readonly Series[];
  readonly yLabel: string;
  /** Format of y tick labels (default: integers with thousands separators). */
  readonly yFormat?: (v: number) => string;
  readonly width?: number;
  readonly height?: number;
}

const PAD = { left: 64, right: 16, top: 28, bottom: 48 };
const nice = (v: number): number => {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  return [1, 2, 2.5, 5, 10].map((m) => m * p).find((c) => c >= v) ?? 10 * p;
};

export function lineChart(input: ChartInput): Raw {
  const W = input.width ?? 720, H = input.height ?? 260;
  const fmt = input.yFormat ?? ((v: number) => Math.round(v).toLocaleString('en-US'));
  const xs = [...new Set(input.series.flatMap((s) => s.points.map((p) => p.x)))];
  const top = nice(Math.max(0, ...input.series.flatMap((s) => s.points.map((p) => Math.max(p.y, p.hi ?? 0)))));
  const iw = W - PAD.left - PAD.right, ih = H - PAD.top - PAD.bottom;
  const X = (x: string) => PAD.left + (xs.length <= 1 ? iw / 2 : (xs.indexOf(x) / (xs.length - 1)) * iw);
  const Y = (y: number) => PAD.top + ih - (y / top) * ih;
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((q) => q * top);
  const every = Math.max(1, Math.ceil(xs.length / 6));
  const f1 = (n: number) => n.toFixed(1);
  const grid = ticks.map((t) => html`<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${f1(Y(t))}" y2="${f1(Y(t))}" stroke="#ddd"/><text x="${PAD.left - 6}" y="${f1(Y(t) + 4)}" font-size="11" text-anchor="end">${fmt(t)}</text>`);
  const xl = xs.map((x, i) => (i % every === 0 ? html`<text x="${f1(X(x))}" y="${H - PAD.bottom + 16}" font-size="11" text-anchor="middle">${x}</text>` : ''));
  const lines = input.series.map((s) => {
    const pts = s.points.map((p) => `${f1(X(p.x))},${f1(Y(p.y))}`).join(' ');
    const bars = s.points.filter((p) => p.lo !== undefined && p.hi !== undefined).map((p) => html`<line class="ci" x1="${f1(X(p.x))}" x2="${f1(X(p.x))}" y1="${f1(Y(p.lo!))}" y2="${f1(Y(p.hi!))}" stroke="${s.color}" stroke-width="2" opacity="0.6"/>`);
    const dots = s.points.map((p) => html`<circle cx="${f1(X(p.x))}" cy="${f1(Y(p.y))}" r="3" fill="${s.color}"><title>${s.label}, ${p.x}: ${fmt(p.y)}${p.lo !== undefined ? ` (95% CI ${fmt(p.lo)}–${fmt(p.hi!)})` : ''}</title></circle>`);
    return html`<polyline class="series" points="${pts}" fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? html` stroke-dasharray="6 4"` : ''}/>${bars}${dots}`;
  });
  const legend = input.series.map((s, i) => html`<rect x="${PAD.left + i * 220}" y="${H - 18}" width="12" height="12" fill="${s.color}"/><text x="${PAD.left + i * 220 + 16}" y="${H - 8}" font-size="12">${s.label}</text>`);
  const empty = xs.length === 0 ? html`<text x="${W / 2}" y="${H / 2}" text-anchor="middle" font-size="14">no data in this window</text>` : '';
  return html`<svg class="chart" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${input.title}"><title>${input.title}</title>
<text x="${PAD.left}" y="16" font-size="13" font-weight="bold">${input.title}</text><text x="12" y="${PAD.top + ih / 2}" font-size="11" transform="rotate(-90 12 ${PAD.top + ih / 2})" text-anchor="middle">${input.yLabel}</text>
${grid}${xl}${lines}${legend}${empty}</svg>`;
}

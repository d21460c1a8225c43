/** An axis-aligned box in SVG user units. */
export interface Box { readonly x0: number; readonly y0: number; readonly x1: number; readonly y1: number }

export interface LabelRequest {
  readonly key: string;
  /** Printed on the county itself: the count, or "< k" when withheld. */
  readonly text: string;
  /** Printed in the margin, where the leader line alone would leave the reader guessing which county. */
  readonly marginText: string;
  readonly cx: number;
  readonly cy: number;
  /** Projected area: larger counties are labelled first. */
  readonly area: number;
  /** Projected bounding box of the county. */
  readonly bounds: Box;
}

export interface PlacedLabel {
  readonly key: string;
  readonly text: string;
  /** Baseline position; `anchor` says whether x is the middle or the start of the text. */
  readonly x: number;
  readonly y: number;
  readonly anchor: 'middle' | 'start';
  readonly box: Box;
  /** From the county's centroid to the label, for labels in the margin. */
  readonly leader?: { readonly x1: number; readonly y1: number; readonly x2: number; readonly y2: number };
}

export const LABEL_FONT = 10;

/**
 * Advance width of a text in em, an upper bound for the common sans-serif faces (DejaVu Sans,
 * the widest of them, has digits at 0.64 em and capitals up to 0.78 em; comma and colon 0.32 em).
 * Overestimating only costs some space; underestimating would let labels touch.
 */
export function textWidthEm(text: string): number {
  let em = 0;
  for (const ch of text) em += ',.:; '.includes(ch) ? 0.35 : 0.8;
  return em;
}

/** The box of a text drawn at baseline (x, y): ascent 0.8 em above, descent 0.25 em below. */
export function textBox(x: number, y: number, text: string, fontSize: number, anchor: 'start' | 'middle'): Box {
  const w = textWidthEm(text) * fontSize;
  const x0 = anchor === 'middle' ? x - w / 2 : x;
  return { x0, y0: y - 0.8 * fontSize, x1: x0 + w, y1: y + 0.25 * fontSize };
}

const PAD = 1.5;
export const overlaps = (a: Box, b: Box, pad = PAD) => a.x0 < b.x1 + pad && b.x0 < a.x1 + pad && a.y0 < b.y1 + pad && b.y0 < a.y1 + pad;
const inside = (a: Box, frame: Box) => a.x0 >= frame.x0 && a.x1 <= frame.x1 && a.y0 >= frame.y0 && a.y1 <= frame.y1;

/** Does the segment p→q touch box b (grown by PAD)? Liang–Barsky clipping. */
function segmentHitsBox(p: { x: number; y: number }, q: { x: number; y: number }, b: Box): boolean {
  let t0 = 0, t1 = 1;
  const dx = q.x - p.x, dy = q.y - p.y;
  const edges: [number, number][] = [[-dx, p.x - (b.x0 - PAD)], [dx, b.x1 + PAD - p.x], [-dy, p.y - (b.y0 - PAD)], [dy, b.y1 + PAD - p.y]];
  for (const [pe, qe] of edges) {
    if (pe === 0) { if (qe < 0) return false; continue; }
    const t = qe / pe;
    if (pe < 0) t0 = Math.max(t0, t); else t1 = Math.min(t1, t);
    if (t0 > t1) return false;
  }
  return true;
}

/** Do segments ab and cd cross (strictly)? */
function segmentsCross(a: { x: number; y: number }, b: { x: number; y: number }, c: { x: number; y: number }, d: { x: number; y: number }): boolean {
  const side = (p: { x: number; y: number }, q: { x: number; y: number }, r: { x: number; y: number }) => Math.sign((q.x - p.x) * (r.y - p.y) - (q.y - p.y) * (r.x - p.x));
  return side(a, b, c) * side(a, b, d) < 0 && side(c, d, a) * side(c, d, b) < 0;
}

const ROW = LABEL_FONT * 1.2;
/** Rows tried above and below a county's own height before it is left unlabelled. */
const MAX_ROW_SHIFT = 20;
const GAP = 8;

/**
 * Where each county's label goes. The rule, in order (deterministic: same input, same placement):
 * 1. Counties by projected area, largest first (ties by key). A label sits centred on its county's
 *    centroid if its box is no wider and no taller than the county's bounding box (else it would
 *    mostly cover the neighbours and not read as that county's) and touches no label placed before it.
 * 2. The others, north to south, go to the margin east of the land at their height: the first row
 *    (their own height, then one row up, one down, two up, ...) whose box lies east of every
 *    county's bounding box on that row, inside `frame`, touching no label or leader line, and whose
 *    leader line from the centroid crosses no label and no other leader line. Those labels carry
 *    the county's name too.
 * 3. A county with no such row stays unlabelled on the map; its number is in the table beside it.
 * `frame` excludes the title, legend, country list and attribution, so no label can touch them.
 */
export function placeLabels(requests: readonly LabelRequest[], shapes: readonly Box[], frame: Box): PlacedLabel[] {
  const placed: PlacedLabel[] = [];
  const fits = (box: Box) => inside(box, frame) && placed.every((p) => !overlaps(p.box, box));
  const byArea = [...requests].sort((a, b) => b.area - a.area || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const margin: LabelRequest[] = [];
  for (const r of byArea) {
    const y = r.cy + 0.35 * LABEL_FONT;
    const box = textBox(r.cx, y, r.text, LABEL_FONT, 'middle');
    const small = box.x1 - box.x0 > r.bounds.x1 - r.bounds.x0 || box.y1 - box.y0 > r.bounds.y1 - r.bounds.y0;
    if (!small && fits(box)) placed.push({ key: r.key, text: r.text, x: r.cx, y, anchor: 'middle', box });
    else margin.push(r);
  }
  margin.sort((a, b) => a.cy - b.cy || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (const r of margin) {
    for (let i = 0; i <= 2 * MAX_ROW_SHIFT; i++) {
      const shift = i % 2 === 1 ? -(i + 1) / 2 : i / 2; // 0, -1, +1, -2, +2, ...
      const y = r.cy + 0.35 * LABEL_FONT + shift * ROW;
      const probe = textBox(0, y, r.marginText, LABEL_FONT, 'start');
      const east = shapes.filter((s) => s.y1 >= probe.y0 - PAD && s.y0 <= probe.y1 + PAD).reduce((m, s) => Math.max(m, s.x1), r.cx);
      const x = east + GAP;
      const box = textBox(x, y, r.marginText, LABEL_FONT, 'start');
      const from = { x: r.cx, y: r.cy }, to = { x: x - 2, y: (box.y0 + box.y1) / 2 };
      const clear = fits(box)
        && placed.every((p) => !segmentHitsBox(from, to, p.box))
        && placed.every((p) => !p.leader || (!segmentHitsBox({ x: p.leader.x1, y: p.leader.y1 }, { x: p.leader.x2, y: p.leader.y2 }, box)
          && !segmentsCross(from, to, { x: p.leader.x1, y: p.leader.y1 }, { x: p.leader.x2, y: p.leader.y2 })));
      if (clear) { placed.push({ key: r.key, text: r.marginText, x, y, anchor: 'start', box, leader: { x1: from.x, y1: from.y, x2: to.x, y2: to.y } }); break; }
    }
  }
  return placed;
}

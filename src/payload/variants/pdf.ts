import { encodeWinAnsi, findLinks, pdfString, textWidth, wrapLine } from './pdf-text.ts';

/** A4 portrait in points (ISO 216; 1 pt = 1/72 in). */
const PAGE_W = 595;
const PAGE_H = 842;
const MARGIN = 50;
const IMAGE_W = 360;
const BODY_SIZE = 10.5;
const TITLE_SIZE = 14;
const NOTE_SIZE = 9;
const LEADING = 1.35;
/** Upper bound of Helvetica-Bold over Helvetica widths (i, l: 278 vs 222), for wrapping the bold titles. */
const BOLD_FACTOR = 1.26;
/** Link colour: a dark blue, underlined, as readers show web links. */
const LINK_RGB = '0.05 0.2 0.6';

interface Line { readonly text: string; readonly size: number; readonly bold: boolean; readonly grey: boolean }
interface PlacedLink { readonly rect: readonly [number, number, number, number]; readonly uri: string }

/**
 * A PDF 1.4 (ISO 32000-1) warning: the warning frame as a DCTDecode image, then the
 * warning text as real text (selectable, searchable, read aloud by screen readers) in the
 * standard Helvetica font, and every help address in it a clickable link: a Link
 * annotation with a URI action (§12.5.6.5, §12.6.4.7) to exactly the address shown.
 * Pages follow as the text needs. Classic xref table (§7.5.4); no dates or ids, so the
 * same frame and text give the same bytes.
 */
export function buildPdf(jpeg: Uint8Array, text: string): Uint8Array {
  const { width, height } = jpegSize(jpeg);
  const imageH = (IMAGE_W * height) / width;
  const lines = layoutLines(text);
  const title = lines.find((l) => l.bold)?.text;

  // Objects 1-5 are fixed; each page then takes a page object, a content stream and its links.
  const objects: (string | Buffer)[] = [];
  const add = (body: string | Buffer): number => objects.push(body);
  const catalog = add('');
  const pagesRef = add('');
  const fontRegular = add('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>');
  const fontBold = add('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>');
  const image = add(Buffer.concat([
    Buffer.from(`<< /Type /XObject /Subtype /Image /Width ${width} /Height ${height} /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode /Length ${jpeg.length} >>\nstream\n`, 'latin1'),
    Buffer.from(jpeg), Buffer.from('\nendstream', 'latin1'),
  ]));
  const resources = `<< /Font << /F1 ${fontRegular} 0 R /F2 ${fontBold} 0 R >> /XObject << /Im0 ${image} 0 R >> >>`;

  const pageRefs: number[] = [];
  let ops: string[] = [];
  let links: PlacedLink[] = [];
  const flushPage = () => {
    const content = ops.join('\n');
    const contentRef = add(`<< /Length ${content.length} >>\nstream\n${content}\nendstream`);
    const annots = links.map((l) => add(`<< /Type /Annot /Subtype /Link /Rect [${l.rect.map(num).join(' ')}] /Border [0 0 0] /A << /Type /Action /S /URI /URI ${pdfString(encodeWinAnsi(l.uri))} >> >>`));
    const page = add(`<< /Type /Page /Parent ${pagesRef} 0 R /MediaBox [0 0 ${PAGE_W} ${PAGE_H}] /Resources ${resources} /Contents ${contentRef} 0 R${annots.length ? ` /Annots [${annots.map((a) => `${a} 0 R`).join(' ')}]` : ''} >>`);
    pageRefs.push(page);
    ops = []; links = [];
  };

  ops.push(`q ${num(IMAGE_W)} 0 0 ${num(imageH)} ${num((PAGE_W - IMAGE_W) / 2)} ${num(PAGE_H - MARGIN - imageH)} cm /Im0 Do Q`);
  let y = PAGE_H - MARGIN - imageH - 12;
  for (const line of lines) {
    const step = line.size * LEADING;
    if (y - step < MARGIN) { flushPage(); y = PAGE_H - MARGIN; }
    y -= step;
    if (line.text === '') continue;
    drawLine(line, MARGIN, y, ops, links);
  }
  flushPage();

  objects[catalog - 1] = `<< /Type /Catalog /Pages ${pagesRef} 0 R >>`;
  objects[pagesRef - 1] = `<< /Type /Pages /Kids [${pageRefs.map((p) => `${p} 0 R`).join(' ')}] /Count ${pageRefs.length} >>`;
  const info = title === undefined ? undefined : add(`<< /Title ${pdfString(encodeWinAnsi(title))} >>`);
  return serialise(objects, catalog, info);
}

/** The transcript as lines to set: all-capital lines are titles, "Language, 0-13 s" headings lose the video timing. */
function layoutLines(text: string): Line[] {
  const out: Line[] = [];
  const maxW = PAGE_W - 2 * MARGIN;
  for (const raw of text.replace(/\r\n?/g, '\n').trimEnd().split('\n')) {
    const line = raw.trimEnd();
    const heading = /^(.+), \d+-\d+ s$/.exec(line);
    if (heading) { out.push({ text: heading[1]!, size: NOTE_SIZE, bold: false, grey: true }); continue; }
    const bold = /\p{L}{2}/u.test(line) && line === line.toUpperCase();
    const size = bold ? TITLE_SIZE : BODY_SIZE;
    for (const part of wrapLine(line, size, bold ? maxW / BOLD_FACTOR : maxW)) out.push({ text: part, size, bold, grey: false });
  }
  return out;
}

/** One line of text, with its web addresses in link colour, underlined, and covered by a link rectangle. */
function drawLine(line: Line, x: number, y: number, ops: string[], links: PlacedLink[]): void {
  const font = line.bold ? '/F2' : '/F1';
  const colour = line.grey ? '0.35 0.35 0.35' : '0 0 0';
  const found = line.bold ? [] : findLinks(line.text);
  let at = 0;
  const segment = (from: number, to: number, rgb: string) => {
    if (to <= from) return;
    const part = line.text.slice(from, to);
    const x0 = x + textWidth(line.text.slice(0, from), line.size);
    ops.push(`BT ${font} ${num(line.size)} Tf ${rgb} rg 1 0 0 1 ${num(x0)} ${num(y)} Tm ${pdfString(encodeWinAnsi(part))} Tj ET`);
    return [x0, x0 + textWidth(part, line.size)] as const;
  };
  for (const l of found) {
    segment(at, l.start, colour);
    const [x0, x1] = segment(l.start, l.end, LINK_RGB)!;
    ops.push(`q ${LINK_RGB} RG 0.6 w ${num(x0)} ${num(y - 1.5)} m ${num(x1)} ${num(y - 1.5)} l S Q`);
    // Helvetica's descender is -207/1000 em and its ascender 718/1000 em (AFM): the rectangle covers the glyphs.
    links.push({ rect: [x0, y - 0.25 * line.size, x1, y + 0.8 * line.size], uri: l.uri });
    at = l.end;
  }
  segment(at, line.text.length, colour);
}

/** Numbers in content streams and arrays: at most two decimals, no exponent (§7.3.3). */
function num(n: number): string {
  return String(Math.round(n * 100) / 100);
}

/** Header, numbered objects, classic xref table, trailer (§7.5). Objects are numbered from 1 in array order. */
function serialise(objects: readonly (string | Buffer)[], root: number, info: number | undefined): Uint8Array {
  const chunks: Buffer[] = [];
  const offsets: number[] = [];
  let pos = 0;
  const push = (b: Buffer) => { chunks.push(b); pos += b.length; };
  // The binary comment marks the file as binary for transfer tools (§7.5.2).
  push(Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1'));
  objects.forEach((body, i) => {
    offsets.push(pos);
    push(Buffer.from(`${i + 1} 0 obj\n`, 'latin1'));
    push(typeof body === 'string' ? Buffer.from(body, 'latin1') : body);
    push(Buffer.from('\nendobj\n', 'latin1'));
  });
  const xref = pos;
  const rows = ['xref', `0 ${objects.length + 1}`, '0000000000 65535 f ', ...offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n `)];
  const trailer = `<< /Size ${objects.length + 1} /Root ${root} 0 R${info === undefined ? '' : ` /Info ${info} 0 R`} >>`;
  push(Buffer.from(`${rows.join('\n')}\ntrailer\n${trailer}\nstartxref\n${xref}\n%%EOF\n`, 'latin1'));
  return new Uint8Array(Buffer.concat(chunks));
}

/** Width and height from the first SOF marker (ITU-T T.81 §B.2.2). */
function jpegSize(b: Uint8Array): { width: number; height: number } {
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) { i++; continue; }
    const m = b[i + 1]!;
    const len = (b[i + 2]! << 8) | b[i + 3]!;
    if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc) {
      return { height: (b[i + 5]! << 8) | b[i + 6]!, width: (b[i + 7]! << 8) | b[i + 8]! };
    }
    i += 2 + len;
  }
  throw new RangeError('JPEG without a SOF marker');
}

import { PayloadError } from '../errors.ts';

/**
 * Text for the warning PDF in Helvetica, one of the standard 14 fonts every reader has
 * (ISO 32000-1 §9.6.2.2), so nothing is embedded, with WinAnsiEncoding (Annex D.2): it
 * covers the Latin-1 languages of the bundled warnings (no, en, de, sv, da, nl). Widths
 * place the link rectangles over their words and wrap long lines; they are Adobe's
 * Helvetica AFM widths in 1/1000 em (the same metrics readers use for the standard font).
 */

/** WinAnsi codes 32-126: the ASCII range. */
const ASCII_WIDTHS = [
  278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, // space ! " # $ % & ' ( ) * + , - . /
  556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, // 0-9 : ; < = > ?
  1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, // @ A-O
  667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, // P-Z [ \ ] ^ _
  333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, // ` a-o
  556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, //      p-z { | } ~
];
/** WinAnsi codes 160-255: Latin-1 as in Unicode. */
const LATIN1_WIDTHS = [
  278, 333, 556, 556, 556, 556, 260, 556, 333, 737, 370, 556, 584, 333, 737, 333, // nbsp ¡ ¢ £ ¤ ¥ ¦ § ¨ © ª « ¬ shy ® ¯
  400, 584, 333, 333, 333, 556, 537, 278, 333, 333, 365, 556, 834, 834, 834, 611, // ° ± ² ³ ´ µ ¶ · ¸ ¹ º » ¼ ½ ¾ ¿
  667, 667, 667, 667, 667, 667, 1000, 722, 667, 667, 667, 667, 278, 278, 278, 278, // À-Å Æ Ç È-Ë Ì-Ï
  722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667, 611, // Ð Ñ Ò-Ö × Ø Ù-Ü Ý Þ ß
  556, 556, 556, 556, 556, 556, 889, 500, 556, 556, 556, 556, 278, 278, 278, 278, // à-å æ ç è-ë ì-ï
  556, 556, 556, 556, 556, 556, 556, 584, 611, 556, 556, 556, 556, 500, 556, 500, // ð ñ ò-ö ÷ ø ù-ü ý þ ÿ
];
/** WinAnsi codes 128-159 that differ from Unicode (Annex D.2), with their widths. */
const WIN_EXTRA: ReadonlyMap<string, readonly [code: number, width: number]> = new Map([
  ['€', [0x80, 556]], ['‚', [0x82, 222]], ['ƒ', [0x83, 556]], ['„', [0x84, 333]], ['…', [0x85, 1000]], ['†', [0x86, 556]],
  ['‡', [0x87, 556]], ['ˆ', [0x88, 333]], ['‰', [0x89, 1000]], ['Š', [0x8a, 667]], ['‹', [0x8b, 333]], ['Œ', [0x8c, 1000]],
  ['Ž', [0x8e, 611]], ['‘', [0x91, 222]], ['’', [0x92, 222]], ['“', [0x93, 333]], ['”', [0x94, 333]], ['•', [0x95, 350]],
  ['–', [0x96, 556]], ['—', [0x97, 1000]], ['˜', [0x98, 333]], ['™', [0x99, 1000]], ['š', [0x9a, 500]], ['›', [0x9b, 333]],
  ['œ', [0x9c, 944]], ['ž', [0x9e, 500]], ['Ÿ', [0x9f, 667]],
]);

/** A character's WinAnsi code and Helvetica width, or undefined when WinAnsi has no such character. */
function glyph(ch: string): readonly [code: number, width: number] | undefined {
  const c = ch.codePointAt(0)!;
  if (c >= 32 && c <= 126) return [c, ASCII_WIDTHS[c - 32]!];
  if (c >= 160 && c <= 255) return [c, LATIN1_WIDTHS[c - 160]!];
  return WIN_EXTRA.get(ch);
}

/** The line as WinAnsi bytes (tabs become spaces); a character outside WinAnsi is refused by name. */
export function encodeWinAnsi(line: string): Uint8Array {
  const out: number[] = [];
  for (const ch of line.replace(/\t/g, ' ')) {
    const g = glyph(ch);
    if (!g) {
      throw new PayloadError(`the warning text has a character the PDF variant cannot show: ${JSON.stringify(ch)} (U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}); `
        + 'the PDF uses the standard Helvetica font with Windows-1252 (WinAnsi) characters, which covers Western European languages');
    }
    out.push(g[0]);
  }
  return Uint8Array.from(out);
}

/** Width in points of `line` set in Helvetica at `size` points. */
export function textWidth(line: string, size: number): number {
  let w = 0;
  for (const ch of line.replace(/\t/g, ' ')) w += glyph(ch)?.[1] ?? 1000;
  return (w * size) / 1000;
}

/** Splits a line at spaces so each part is at most `maxWidth` points wide (a longer single word stays whole). */
export function wrapLine(line: string, size: number, maxWidth: number): string[] {
  if (textWidth(line, size) <= maxWidth) return [line];
  const out: string[] = [];
  let cur = '';
  for (const word of line.split(/ +/)) {
    const next = cur === '' ? word : `${cur} ${word}`;
    if (cur !== '' && textWidth(next, size) > maxWidth) { out.push(cur); cur = word; } else cur = next;
  }
  if (cur !== '') out.push(cur);
  return out;
}

/** A PDF literal string (§7.3.4.2) of WinAnsi bytes: parentheses and backslash escaped, bytes over 126 as octal. */
export function pdfString(bytes: Uint8Array): string {
  let s = '(';
  for (const b of bytes) {
    if (b === 0x28 || b === 0x29 || b === 0x5c) s += `\\${String.fromCharCode(b)}`;
    else if (b < 32 || b > 126) s += `\\${b.toString(8).padStart(3, '0')}`;
    else s += String.fromCharCode(b);
  }
  return `${s})`;
}

export interface TextLink {
  /** Character offsets of the link text within its line. */
  readonly start: number;
  readonly end: number;
  /** The target: the host (and path) written in the text, over https, nothing added (help seekers are never tracked). */
  readonly uri: string;
}

/**
 * Web addresses written in the warning text, such as `helplinks.eu` or `https://stopitnow.org.uk/help`:
 * lower-case host names with a top-level domain of letters. Endings that are file types
 * (`README-WARNING.txt`, `warning.mp4`) are not addresses.
 */
const ADDRESS = /(?<![\w.@/-])(?:https?:\/\/)?((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+([a-z]{2,24}))(\/[\w\-./~%]*)?(?![\w-])/g;
const FILE_TYPES = new Set(['txt', 'nfo', 'pdf', 'zip', 'tar', 'html', 'htm', 'jpg', 'jpeg', 'png', 'gif', 'bmp', 'mkv', 'avi', 'mov', 'flv', 'wmv', 'webm', 'mpg', 'mpeg', 'exe']);

export function findLinks(line: string): TextLink[] {
  const out: TextLink[] = [];
  for (const m of line.matchAll(ADDRESS)) {
    if (FILE_TYPES.has(m[2]!)) continue;
    // A sentence's full stop after an address is not part of it.
    const text = m[0].replace(/[.]+$/, '');
    const path = (m[3] ?? '').replace(/[.]+$/, '');
    out.push({ start: m.index, end: m.index + text.length, uri: `https://${m[1]}${path === '' ? '/' : path}` });
  }
  return out;
}

import { readFileSync } from 'node:fs';
import { InputError } from '../domain/errors.ts';
import type { NameListIssue } from './errors.ts';

/**
 * Reads an operator's name list as strict UTF-8 (issue 15, item 9). readFileSync(_, 'utf8') turns
 * invalid bytes into U+FFFD without a word, and the decoy would then carry a name nobody wrote.
 */
export function readListFile(path: string): string {
  let bytes: Buffer;
  try { bytes = readFileSync(path); } catch (e) { throw new InputError(`cannot read name list ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`); }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    const line = 1 + bytes.subarray(0, at).filter((b) => b === 0x0a).length;
    throw new InputError(`name list ${path} is not valid UTF-8: line ${line}, byte offset ${at} (save the list as UTF-8)`);
  }
}

/** Offset of the first byte that does not start a well-formed UTF-8 sequence (RFC 3629 §4); linear. */
function firstInvalidUtf8(b: Uint8Array): number {
  const d = new TextDecoder('utf-8', { fatal: true });
  for (let i = 0; i < b.length;) {
    const c = b[i]!;
    const n = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    if (n === 0 || i + n > b.length) return i;
    // The decoder judges the sequence itself: continuation bytes, overlong forms, surrogates.
    try { d.decode(b.subarray(i, i + n)); } catch { return i; }
    i += n;
  }
  return b.length;
}

/**
 * A header (`header` is given for the list's first record only) or a row that uses another delimiter
 * than the comma (a spreadsheet's `name;size`): the whole line would otherwise become one decoy name.
 */
export function delimiterIssue(line: number, text: string, header: RegExp | undefined): NameListIssue | undefined {
  for (const sep of [';', '\t', '|']) {
    if (header && text.includes(sep) && header.test(text.split(sep).join(','))) return { line, message: `header separated by "${sep === '\t' ? 'TAB' : sep}": lists are comma-separated CSV (save as CSV with commas)` };
  }
  if (/^[^,"]*;\s*\d+\s*$/.test(text)) return { line, message: 'looks like name;size separated by ";": use a comma (quote the name if it really ends in ";<digits>")' };
  return undefined;
}

export const EMPTY_LIST: NameListIssue = { line: 1, message: 'the list has no names' };

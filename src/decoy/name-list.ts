import { NameListError, type NameListIssue } from './errors.ts';
import { splitCsvLine } from './csv-line.ts';
import { nameProblem } from './name-rules.ts';
import { delimiterIssue, EMPTY_LIST } from './list-file.ts';

export interface NameRow {
  /** 1-based line in the input, for messages. */
  readonly line: number;
  readonly name: string;
  /** Size from the optional second column (for size mimicry), or null. */
  readonly size: number | null;
}

export const DEFAULT_MAX_NAME_ROWS = 1_000_000;
const HEADER = /^name\s*(,\s*size)?$/i;

/**
 * Parses an operator's decoy name list: one name per line, or CSV `name[,size]`.
 * - UTF-8 BOM, CRLF/LF/CR line ends accepted; blank lines skipped.
 * - Lines whose first non-blank character is `#` are comments (quote a name that starts with `#`).
 * - An optional first row `name` or `name,size` (any case) is a header and skipped.
 * - Names containing commas must be quoted (RFC 4180).
 * All-or-nothing: every problem is collected with its line number and thrown as one
 * NameListError; nothing is returned half-parsed.
 */
export function parseNameList(text: string, opts: { maxRows?: number } = {}): NameRow[] {
  const maxRows = opts.maxRows ?? DEFAULT_MAX_NAME_ROWS;
  const lines = (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).split(/\r\n|\n|\r/);
  const rows: NameRow[] = [];
  const issues: NameListIssue[] = [];
  const firstLineOf = new Map<string, number>();
  let sawRecord = false;
  // Rows with problems count too, so the bound holds for bad input.
  let records = 0;

  for (let idx = 0; idx < lines.length; idx++) {
    const raw = lines[idx]!;
    const line = idx + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const delimiter = delimiterIssue(line, trimmed, sawRecord ? undefined : HEADER);
    if (delimiter) { issues.push(delimiter); sawRecord = true; continue; }
    if (!sawRecord) {
      sawRecord = true;
      if (HEADER.test(trimmed)) continue;
    }
    if (++records > maxRows) {
      issues.push({ line, message: `more than ${maxRows} names (the limit); split the list` });
      break;
    }
    const parsed = splitCsvLine(raw);
    if ('error' in parsed) { issues.push({ line, message: parsed.error }); continue; }
    const [name = '', sizeText = '', ...extra] = parsed.fields;
    const before = issues.length;
    if (extra.length > 0) issues.push({ line, message: `expected name[,size] but found ${parsed.fields.length} fields (quote names that contain commas)` });
    const problem = nameProblem(name);
    if (problem) issues.push({ line, message: problem });
    const size = parseSize(sizeText);
    if (typeof size === 'string') issues.push({ line, message: size });
    const first = firstLineOf.get(name);
    if (first !== undefined) issues.push({ line, message: `duplicate name (first on line ${first})` });
    else firstLineOf.set(name, line);
    if (issues.length === before) rows.push({ line, name, size: size as number | null });
  }
  if (issues.length === 0 && rows.length === 0) issues.push(EMPTY_LIST);
  if (issues.length > 0) throw new NameListError(issues);
  return rows;
}

/** null for an empty column, the size, or a message. */
function parseSize(text: string): number | null | string {
  if (text === '') return null;
  if (!/^[0-9]+$/.test(text)) return `size "${text}" is not a whole number of bytes`;
  const n = Number(text);
  if (n === 0) return 'size must be positive';
  if (!Number.isSafeInteger(n)) return `size ${text} is over the limit of ${Number.MAX_SAFE_INTEGER} (2^53-1)`;
  return n;
}

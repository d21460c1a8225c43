import { splitCsvLine } from '../decoy/csv-line.ts';
import { NameListError, type NameListIssue } from '../decoy/errors.ts';
import { nameProblem } from '../decoy/name-rules.ts';
import { delimiterIssue, EMPTY_LIST } from '../decoy/list-file.ts';
import { MAX_FILES_PER_DECOY } from '../decoy/metainfo-multi.ts';
import type { CampaignItem } from '../domain/campaign.ts';

export const MAX_CAMPAIGN_ROWS = 1_000_000;

export type { CampaignItem };

// ISO 639-1 language (lower case) or ISO 3166-1 alpha-2 country (upper case).
const LANG = /^(?:[a-z]{2}|[A-Z]{2})$/;

/**
 * Campaign name list, CSV `name,size,language,folder` (all but name optional; header
 * row optional; `#` comments). Rows with the same folder form one multi-file torrent.
 * All or nothing: every bad row is reported with its line number.
 */
export function parseCampaignCsv(text: string, opts: { maxRows?: number } = {}): CampaignItem[] {
  const max = opts.maxRows ?? MAX_CAMPAIGN_ROWS;
  const lines = (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).split(/\r\n|\n|\r/);
  const issues: NameListIssue[] = [];
  const singles: CampaignItem[] = [];
  const folders = new Map<string, { seq: number; lang: string | null; files: { name: string; size: number | null; path: string[] }[] }>();
  const seen = new Map<string, number>();
  let rows = 0;
  let first = true;
  for (let i = 0; i < lines.length; i++) {
    const line = i + 1;
    const t = lines[i]!.trim();
    if (t === '' || t.startsWith('#')) continue;
    const delimiter = delimiterIssue(line, t, first ? /^name\s*(,|$)/i : undefined);
    if (delimiter) { issues.push(delimiter); first = false; continue; }
    if (first) { first = false; if (/^name\s*(,|$)/i.test(t)) continue; }
    if (++rows > max) { issues.push({ line, message: `more than ${max} rows (the limit); split the list` }); break; }
    const parsed = splitCsvLine(lines[i]!);
    if ('error' in parsed) { issues.push({ line, message: parsed.error }); continue; }
    const [name = '', sizeText = '', lang = '', folder = '', ...extra] = parsed.fields;
    const before = issues.length;
    if (extra.length) issues.push({ line, message: `expected name,size,language,folder but found ${parsed.fields.length} fields` });
    const p = nameProblem(name);
    if (p) issues.push({ line, message: p });
    let size: number | null = null;
    if (sizeText !== '') {
      if (!/^[0-9]+$/.test(sizeText) || Number(sizeText) === 0 || !Number.isSafeInteger(Number(sizeText))) issues.push({ line, message: `size "${sizeText}" is not a positive whole number of bytes` });
      else size = Number(sizeText);
    }
    if (lang !== '' && !LANG.test(lang)) issues.push({ line, message: `language "${lang}" must be a 2-letter language (no) or country (NO) code` });
    if (folder !== '') { const fp = nameProblem(folder); if (fp) issues.push({ line, message: `folder: ${fp}` }); }
    const key = folder === '' ? name : `${folder}/${name}`;
    const dup = seen.get(key);
    if (dup !== undefined) issues.push({ line, message: `duplicate ${folder ? 'file in folder' : 'name'} (first on line ${dup})` });
    else seen.set(key, line);
    if (issues.length !== before) continue;
    if (folder === '') { singles.push({ seq: line, name, files: [{ name, size, path: null }], lang: lang || null }); continue; }
    const f = folders.get(folder) ?? { seq: line, lang: lang || null, files: [] };
    if (f.files.length >= MAX_FILES_PER_DECOY) { issues.push({ line, message: `folder ${folder} has more than ${MAX_FILES_PER_DECOY} files` }); continue; }
    f.files.push({ name, size, path: [name] });
    folders.set(folder, f);
  }
  for (const [folder] of folders) if (seen.has(folder)) issues.push({ line: seen.get(folder)!, message: `name ${folder} is also used as a folder` });
  if (issues.length === 0 && singles.length === 0 && folders.size === 0) issues.push(EMPTY_LIST);
  if (issues.length) throw new NameListError(issues.sort((a, b) => a.line - b.line));
  const items: CampaignItem[] = [...singles, ...[...folders].map(([name, f]) => ({ seq: f.seq, name, files: f.files, lang: f.lang }))];
  return items.sort((a, b) => a.seq - b.seq);
}

import { readFileSync } from 'node:fs';
import { parseCountryCode } from '../domain/country-code.ts';
import { CounterseedError, InputError, NotFoundError } from '../domain/errors.ts';
import { splitCsvLine } from '../decoy/csv-line.ts';
import type { Agency, RetentionRule } from '../store/referrals.ts';
import type { Context } from './context.ts';

/**
 * The operator's two referral tables (issue 14 part 4): the receiving agency per country, and how
 * long ISPs keep subscriber records per country or per ISP (AS number), with the source of each
 * figure. Imported from CSV all or nothing (every bad line named, nothing changed), or edited a row
 * at a time.
 */

/** Errors shown for a file before the rest are counted. */
const MAX_SHOWN = 20;
const MAX_TEXT = 500;
/** Longer than any retention period a law sets (the EU's Data Retention Directive allowed up to 2 years). */
const MAX_DAYS = 3650;

export const AGENCY_COLUMNS = ['country', 'agency', 'contact'] as const;
export const RETENTION_COLUMNS = ['country', 'asn', 'days', 'source'] as const;

function text(v: string, what: string, required: boolean): string {
  const t = v.trim();
  if (required && t.length === 0) throw new InputError(`${what} is empty`);
  if (t.length > MAX_TEXT) throw new InputError(`${what} is longer than ${MAX_TEXT} characters`);
  if (/[\u0000-\u001f\u007f]/.test(t)) throw new InputError(`${what} holds a control character`);
  return t;
}

/** An AS number: "64500" or "AS64500"; empty for none. */
export function parseAsn(v: string, what: string): number | undefined {
  const t = v.trim();
  if (t === '') return undefined;
  const m = /^(?:AS)?(\d{1,10})$/i.exec(t);
  const n = m ? Number(m[1]) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > 4_294_967_295) throw new InputError(`${what}: not an AS number: ${JSON.stringify(v)} (expected 1 to 4294967295, e.g. 2119 or AS2119)`);
  return n;
}

export function parseDays(v: string, what: string): number {
  const t = v.trim();
  const n = /^\d{1,5}$/.test(t) ? Number(t) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > MAX_DAYS) throw new InputError(`${what}: days must be a whole number from 1 to ${MAX_DAYS}, got ${JSON.stringify(v)}`);
  return n;
}

/** Rows of a CSV file with a header naming `columns` (the trailing ones optional from `required` on), each parsed by `row`; every bad line reported at once. */
function readCsv<T>(file: string, columns: readonly string[], required: number, row: (cells: Record<string, string>, line: string) => T): T[] {
  let body: string;
  try { body = readFileSync(file, 'utf8'); } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new NotFoundError(`${file}: no such file`);
    throw new InputError(`${file}: cannot read it (${code ?? (e as Error).message})`);
  }
  const lines = body.replace(/^\uFEFF/, '').split(/\r?\n/);
  const header = splitCsvLine(lines[0] ?? '');
  const names = 'fields' in header ? header.fields.map((h) => h.toLowerCase()) : [];
  if (names.length < required || names.length > columns.length || names.some((n, i) => n !== columns[i])) {
    throw new InputError(`${file}: line 1 must be the header ${columns.slice(0, required).join(',')}${columns.length > required ? `[,${columns.slice(required).join(',')}]` : ''} (got ${JSON.stringify(lines[0] ?? '')})`);
  }
  const out: T[] = [];
  const errors: string[] = [];
  for (let i = 1; i < lines.length; i++) {
    const raw = lines[i]!;
    if (raw.trim() === '') continue;
    const where = `${file}: line ${i + 1}`;
    const split = splitCsvLine(raw);
    try {
      if ('error' in split) throw new InputError(`${where}: ${split.error}`);
      if (split.fields.length !== names.length) throw new InputError(`${where}: ${split.fields.length} fields, the header has ${names.length}`);
      out.push(row(Object.fromEntries(names.map((n, j) => [n, split.fields[j]!])), where));
    } catch (e) {
      if (!(e instanceof CounterseedError)) throw e;
      errors.push(e.message.startsWith(where) ? e.message : `${where}: ${e.message}`);
    }
  }
  if (errors.length === 0 && out.length === 0) throw new InputError(`${file}: no rows after the header, nothing imported (an import replaces the whole table; remove rows one at a time instead)`);
  if (errors.length > 0) {
    const shown = errors.slice(0, MAX_SHOWN).join('\n');
    throw new InputError(`${file}: ${errors.length} bad line(s), nothing imported:\n${shown}${errors.length > MAX_SHOWN ? `\n… and ${errors.length - MAX_SHOWN} more` : ''}`);
  }
  return out;
}

function noDuplicates<T>(rows: readonly T[], key: (r: T) => string, what: string): void {
  const seen = new Set<string>();
  for (const r of rows) {
    const k = key(r);
    if (seen.has(k)) throw new InputError(`${what}: ${k} is given twice, nothing imported`);
    seen.add(k);
  }
}

export interface AgencyInput { readonly country: string; readonly agency: string; readonly contact?: string }

function agencyRow(i: AgencyInput, where: string, at: number): Agency {
  return { country: parseCountryCode(i.country, `${where}: country`), agency: text(i.agency, `${where}: agency`, true), contact: text(i.contact ?? '', `${where}: contact`, false), updatedAt: at };
}

/** Replaces the agency table with FILE (country,agency[,contact]); returns the rows now in it. */
export function importAgencies(ctx: Context, file: string, now = Date.now()): Agency[] {
  const rows = readCsv(file, AGENCY_COLUMNS, 2, (c, where) => agencyRow({ country: c.country!, agency: c.agency!, contact: c.contact ?? '' }, where, now));
  noDuplicates(rows, (r) => r.country, file);
  ctx.store.referrals.replaceAgencies(rows);
  return ctx.store.referrals.agencies();
}

export function listAgencies(ctx: Context): Agency[] { return ctx.store.referrals.agencies(); }

export function setAgency(ctx: Context, input: AgencyInput, now = Date.now()): Agency {
  const row = agencyRow(input, 'agency', now);
  ctx.store.referrals.setAgency(row);
  return row;
}

export function removeAgency(ctx: Context, country: string): void {
  const code = parseCountryCode(country, 'country');
  if (!ctx.store.referrals.removeAgency(code)) throw new NotFoundError(`no agency is set for ${code}`);
}

export interface RetentionInput { readonly country: string; readonly asn?: string; readonly days: string; readonly source: string }

function retentionRow(i: RetentionInput, where: string, at: number): RetentionRule {
  const asn = parseAsn(i.asn ?? '', `${where}: asn`);
  return {
    country: parseCountryCode(i.country, `${where}: country`), ...(asn !== undefined ? { asn } : {}),
    days: parseDays(i.days, `${where}: days`), source: text(i.source, `${where}: source (where the figure comes from)`, true), updatedAt: at,
  };
}

const ruleKey = (r: RetentionRule) => `${r.country}${r.asn !== undefined ? ` AS${r.asn}` : ''}`;

/** Replaces the retention table with FILE (country,asn,days,source; asn empty for the country's rule). */
export function importRetention(ctx: Context, file: string, now = Date.now()): RetentionRule[] {
  const rows = readCsv(file, RETENTION_COLUMNS, 4, (c, where) => retentionRow({ country: c.country!, asn: c.asn!, days: c.days!, source: c.source! }, where, now));
  noDuplicates(rows, ruleKey, file);
  ctx.store.referrals.replaceRetentionRules(rows);
  return ctx.store.referrals.retentionRules();
}

export function listRetention(ctx: Context): RetentionRule[] { return ctx.store.referrals.retentionRules(); }

export function setRetention(ctx: Context, input: RetentionInput, now = Date.now()): RetentionRule {
  const row = retentionRow(input, 'retention', now);
  ctx.store.referrals.setRetentionRule(row);
  return row;
}

export function removeRetention(ctx: Context, country: string, asn?: string): void {
  const code = parseCountryCode(country, 'country');
  const n = parseAsn(asn ?? '', '--asn');
  if (!ctx.store.referrals.removeRetentionRule(code, n)) throw new NotFoundError(`no retention rule for ${code}${n !== undefined ? ` AS${n}` : ''}`);
}

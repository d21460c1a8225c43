import { purposeBanner, type DataPurpose } from '../domain/data-purpose.ts';
import { InputError } from '../domain/errors.ts';
import { formatTime, zoneLabel } from '../domain/display-time.ts';
import { parseUtcTime, UTC_TIME_HELP } from '../domain/utc-time.ts';
import type { Settings } from '../config/settings.ts';
import type { OptionSpec, ParsedArgs } from './command.ts';

/**
 * The options every command that lists records shares (issue 15 item 12): a time window named
 * one way (--from/--to; --since is kept as an alias of --from), an explicit order (newest first by
 * default), and CSV or JSON instead of the table.
 */
export const RECORD_LIST_OPTIONS: Record<string, OptionSpec> = {
  from: { type: 'string', arg: 'TIME', doc: `Only records at or after this time: ${UTC_TIME_HELP}` },
  since: { type: 'string', arg: 'TIME', doc: 'Same as --from (kept for old scripts)' },
  to: { type: 'string', arg: 'TIME', doc: 'Only records before this time (same format)' },
  order: { type: 'string', arg: 'desc|asc', doc: 'desc: newest first (default); asc: oldest first. With --limit N, the N first in this order' },
  limit: { type: 'string', arg: 'N', doc: 'At most N rows' },
  json: { type: 'boolean', doc: 'JSON output (all fields)' },
  csv: { type: 'boolean', doc: 'CSV output (RFC 4180, a header row, UTC times)' },
};

export interface RecordWindow { readonly from?: number; readonly to?: number; readonly order: 'asc' | 'desc' }

export function recordWindow(args: ParsedArgs): RecordWindow {
  const { from: f, since, to: t, order } = args.options;
  if (f !== undefined && since !== undefined) throw new InputError('--since is another name for --from: give one of them');
  const fromText = f ?? since;
  const from = typeof fromText === 'string' ? parseUtcTime(fromText, f !== undefined ? '--from' : '--since') : undefined;
  const to = typeof t === 'string' ? parseUtcTime(t, '--to') : undefined;
  if (from !== undefined && to !== undefined && to <= from) throw new InputError('--to must be after --from');
  if (order !== undefined && order !== 'asc' && order !== 'desc') throw new InputError(`--order: expected asc or desc, got ${JSON.stringify(order)}`);
  if (args.options.json && args.options.csv) throw new InputError('--json and --csv: give one of them');
  return { ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}), order: order ?? 'desc' };
}

/** One CSV field (RFC 4180): quoted when it holds a comma, quote or line break. */
const csvField = (v: unknown) => {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};
export const csvLine = (fields: readonly unknown[]) => fields.map(csvField).join(',');

/** A time for CSV and JSON: always UTC with Z. */
export const utc = (ms: number) => new Date(ms).toISOString();

/**
 * Times for tables: UTC with Z, or in the zone `--tz` names with its UTC offset (issue 15 item 3).
 * `label` names the zone for column headers ("start (Europe/Oslo)").
 */
export function shownTime(settings: Pick<Settings, 'displayTimeZone'>): { (ms: number): string; label: string; width: number } {
  const zone = settings.displayTimeZone;
  // 2026-12-06T02:12:40.000Z is 24 characters; with an offset (+01:00) 29.
  return Object.assign((ms: number) => formatTime(ms, zone), { label: zoneLabel(zone), width: zone === '' ? 24 : 29 });
}

/**
 * Lab and synthetic records are never evidence (issue 15 item 2): a table or summary of them starts
 * with this line (none for evidence); JSON carries a `purpose` field and CSV a `purpose` column.
 */
export function purposeLines(p: DataPurpose): string[] {
  const b = purposeBanner(p);
  return b ? [b] : [];
}

import { closeSync, existsSync, openSync, readdirSync, readSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { normalizeIp } from '../domain/ip-address.ts';
import { RECORD_CODECS } from '../store/sqlite/record-tables/registry.ts';
import type { Settings } from '../config/settings.ts';
import { EXPORTS_DIR } from './export-requests.ts';
import { CATEGORIES, CATEGORY_NAMES, cutoffOf, type RetentionCategory } from './retention.ts';

/** What the erasure job did with one approved export package under web-exports/. */
export interface PackageErasure {
  /** The package's folder name: the export request's id. */
  readonly id: string;
  /** Personal records in it (records of a retention category). */
  readonly records: number;
  readonly erased: boolean;
  /** Why it stays: "legal hold", "within its retention period", "no personal records", or what could not be read. */
  readonly kept?: string;
}

const CATEGORY_OF = new Map<string, RetentionCategory>(CATEGORY_NAMES.flatMap((c) => CATEGORIES[c].kinds.map((k) => [k, c] as const)));

/** The lines of a file, read 1 MiB at a time (a package's records.ndjson can be gigabytes). */
function* linesOf(path: string): Generator<string> {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(1024 ** 2);
    const dec = new StringDecoder('utf8');
    let rest = '';
    for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0;) {
      const parts = (rest + dec.write(buf.subarray(0, n))).split('\n');
      rest = parts.pop()!;
      yield* parts;
    }
    rest += dec.end();
    if (rest !== '') yield rest;
  } finally { closeSync(fd); }
}

/**
 * Why the package in `dir` must stay, or null when it is due: a package is a copy of records, so it
 * goes when its originals would (docs/retention.md): every personal record in it past its category's
 * period, none of an address under legal hold.
 */
function keepReason(dir: string, settings: Settings, at: number, held: ReadonlySet<string>): { records: number; kept: string | null } {
  const file = join(dir, 'records.ndjson');
  if (!existsSync(file)) return { records: 0, kept: 'no records.ndjson' };
  let records = 0;
  let notDue = false;
  for (const line of linesOf(file)) {
    if (line === '') continue;
    const r = JSON.parse(line) as { kind: string; at: number; obs: Record<string, unknown> };
    const c = CATEGORY_OF.get(r.kind);
    if (c === undefined) continue;
    records++;
    const field = RECORD_CODECS.get(r.kind)?.spec.ipField;
    const ip = field === undefined ? null : normalizeIp(String(r.obs[field]));
    if (ip !== null && held.has(ip)) return { records, kept: 'legal hold' };
    if (r.at >= cutoffOf(settings, c, at)) notDue = true;
  }
  return { records, kept: records === 0 ? 'no personal records' : notDue ? 'within its retention period' : null };
}

/**
 * The approved export packages under web-exports/ that are due (every personal record past its
 * period, no address under legal hold), each deleted unless `dryRun`. The caller logs each erasure.
 */
export function erasePackages(settings: Settings, at: number, held: readonly string[], dryRun: boolean): PackageErasure[] {
  const root = join(settings.dataDir, EXPORTS_DIR);
  if (!existsSync(root)) return [];
  const heldSet = new Set(held);
  const out: PackageErasure[] = [];
  for (const id of readdirSync(root).sort()) {
    const dir = join(root, id);
    if (!statSync(dir).isDirectory()) continue;
    let r: { records: number; kept: string | null };
    try { r = keepReason(dir, settings, at, heldSet); } catch (e) { out.push({ id, records: 0, erased: false, kept: `unreadable: ${(e as Error).message}` }); continue; }
    if (r.kept !== null) { out.push({ id, records: r.records, erased: false, kept: r.kept }); continue; }
    if (!dryRun) rmSync(dir, { recursive: true, force: true });
    out.push({ id, records: r.records, erased: true });
  }
  return out;
}

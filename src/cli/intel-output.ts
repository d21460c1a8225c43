import type { GeoDatabase } from '../domain/enrichment.ts';
import { csvLine } from './records-output.ts';

/** The line every analysis output starts with when the data is synthetic (issue 11 item 6). */
export const SYNTHETIC_BANNER = 'SYNTHETIC DATA (counterseed synth): not evidence, not real downloaders';

export function banner(synthetic: boolean, out: (s: string) => void): void {
  if (synthetic) out(SYNTHETIC_BANNER);
}

/** A CSV table whose first column says what the data is, so a synthetic row stays marked wherever it is pasted. */
export function csvTable(synthetic: boolean, header: readonly string[], rows: readonly (readonly unknown[])[], out: (s: string) => void): void {
  out(csvLine(['data', ...header]));
  for (const r of rows) out(csvLine([synthetic ? 'synthetic' : 'recorded', ...r]));
}

export function table(header: readonly string[], rows: readonly (readonly unknown[])[], out: (s: string) => void, rightFrom = 1): void {
  const cells = [header.map(String), ...rows.map((r) => r.map((v) => (v === null || v === undefined ? '' : String(v))))];
  const w = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  for (const r of cells) out(r.map((c, i) => (i >= rightFrom ? c.padStart(w[i]!) : c.padEnd(w[i]!))).join('  ').trimEnd());
}

export function databasesLines(dbs: readonly GeoDatabase[], out: (s: string) => void): void {
  if (dbs.length === 0) return;
  out('Enrichment databases (an assessment, not a fact):');
  for (const d of dbs) out(`  ${d.kind.padEnd(10)} ${d.name}, built ${d.buildDate}, sha256 ${d.sha256}`);
}

export const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

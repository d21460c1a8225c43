// `counterseed sources import` of a partner list (issue 14 §1 benchmark): target >= 200,000 rows/s
// WITH full validation, in bounded memory, beside a plain reference in the same run on the same file
// and the same database: split the lines and INSERT the raw fields, one row per statement, 10,000 rows
// per transaction, into a table without indexes, validating nothing.
//
// Usage: node bench/sources-import.bench.ts [--rows 10000000] [--format csv|ndjson|json] [--keep DIR]
// The list (bench/lib/partner-list.ts: neutral data, every row valid) and a fresh data directory go to a
// temporary directory that is removed at the end (--keep DIR: written there and kept).
import { createReadStream, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DatabaseSync } from 'node:sqlite';
import { importSources } from '../src/app/sources-import.ts';
import { loadSettings } from '../src/config/load.ts';
import { openContext } from '../src/node/context.ts';
import { LIST_FIELDS, writePartnerList, type ListFormat } from './lib/partner-list.ts';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '10000000' }, format: { type: 'string', default: 'csv' }, keep: { type: 'string' } } });
const ROWS = Number(values.rows);
const FORMAT = values.format as ListFormat;
if (!Number.isSafeInteger(ROWS) || ROWS < 1 || !['csv', 'ndjson', 'json'].includes(FORMAT)) {
  console.log('usage: node bench/sources-import.bench.ts [--rows N] [--format csv|ndjson|json] [--keep DIR]');
  process.exit(2);
}
const TARGET = 200_000;
const load = () => `load ${loadavg().map((x) => x.toFixed(2)).join(' ')}`;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const cpuS = (c: NodeJS.CpuUsage) => (c.user + c.system) / 1e6;

const work = values.keep ?? mkdtempSync(join(tmpdir(), 'cs-import-bench-'));
mkdirSync(work, { recursive: true });
try {
  const file = join(work, `partner.${FORMAT}`);
  let t = performance.now();
  const bytes = writePartnerList(file, ROWS, FORMAT);
  console.log(`partner list: ${fmt(ROWS)} rows, ${FORMAT}, ${(bytes / 1e6).toFixed(0)} MB, written in ${((performance.now() - t) / 1000).toFixed(1)} s; ${load()}`);

  const data = join(work, 'data');
  const ctx = openContext(loadSettings({ flags: { dataDir: data }, env: {} }), () => {}, undefined, 'synthetic');
  ctx.store.intel.setPurpose('synthetic', 'sources import benchmark', 0);

  // 1. The import, with validation.
  let progress = 0;
  let lastPct = -1;
  const rss0 = process.memoryUsage().rss;
  let cpu = process.cpuUsage();
  const imp = await importSources(ctx, {
    file, source: 'bench partner', reliability: 'B', credibility: '2', importedBy: 'bench',
    progress: ({ bytes: b, totalBytes }) => { const pct = Math.floor((100 * b) / totalBytes); if (pct >= lastPct + 10) { lastPct = pct; progress++; } },
  });
  const impCpu = cpuS(process.cpuUsage(cpu));
  const peak = process.resourceUsage().maxRSS * 1024;
  const loadImport = load();
  if (imp.import.rows !== ROWS) throw new Error(`imported ${imp.import.rows} rows of ${ROWS}`);

  // 2. The reference: same file, same database, raw fields, no validation, no indexes.
  const db = new DatabaseSync(join(data, 'counterseed.db'));
  db.exec(`CREATE TABLE bench_plain (${LIST_FIELDS.map((f) => `${f} TEXT`).join(', ')}) STRICT`);
  const ins = db.prepare(`INSERT INTO bench_plain VALUES (${LIST_FIELDS.map(() => '?').join(', ')})`);
  const fieldsOf: (l: string) => string[] = FORMAT === 'csv'
    ? (l) => l.split(',')
    : (l) => { const o = JSON.parse(l.endsWith(',') ? l.slice(0, -1) : l) as Record<string, unknown>; return LIST_FIELDS.map((f) => (o[f] === undefined ? '' : String(o[f]))); };
  cpu = process.cpuUsage();
  t = performance.now();
  let plainRows = 0;
  let rest = '';
  let first = true;
  db.exec('BEGIN');
  for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
    const lines = (rest + (chunk as string)).split('\n');
    rest = lines.pop()!;
    for (const l of lines) {
      if (first) { first = false; if (FORMAT !== 'ndjson') continue; }
      if (l === ']') continue;
      const f = fieldsOf(l);
      ins.run(f[0]!, f[1]!, f[2]!, f[3]!, f[4]!, f[5]!, f[6]!, f[7]!, f[8]!);
      if (++plainRows % 10_000 === 0) { db.exec('COMMIT'); db.exec('BEGIN'); }
    }
  }
  db.exec('COMMIT');
  const plainS = (performance.now() - t) / 1000;
  const plainCpu = cpuS(process.cpuUsage(cpu));
  if (plainRows !== ROWS) throw new Error(`reference stored ${plainRows} rows of ${ROWS}`);
  db.close();
  await ctx.close();

  const rate = ROWS / imp.seconds;
  console.log(`import with validation: ${fmt(ROWS)} rows in ${imp.seconds.toFixed(1)} s = ${fmt(rate)} rows/s (target >= ${fmt(TARGET)}: ${rate >= TARGET ? 'met' : 'MISSED'}), `
    + `CPU ${impCpu.toFixed(1)} s = ${fmt(ROWS / impCpu)} rows per CPU-second; peak RSS ${(peak / 2 ** 20).toFixed(0)} MiB (${(rss0 / 2 ** 20).toFixed(0)} MiB before); ${progress} progress reports; ${loadImport}`);
  console.log(`reference (split lines + plain INSERT, no validation, no indexes): ${plainS.toFixed(1)} s = ${fmt(ROWS / plainS)} rows/s, CPU ${plainCpu.toFixed(1)} s = ${fmt(ROWS / plainCpu)} rows per CPU-second; ${load()}`);
  console.log(`ratio import/reference: wall ${(imp.seconds / plainS).toFixed(2)}x, CPU ${(impCpu / plainCpu).toFixed(2)}x`);
} finally {
  if (values.keep === undefined) rmSync(work, { recursive: true, force: true });
}

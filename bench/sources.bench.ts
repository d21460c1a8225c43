// Other sources, cross-matching and risk on a synthetic workload (issue 14 benchmarks), each beside a
// plain SQL reference doing the same work in the same run:
//   import of a ROWS-row partner list with validation >= 200,000 rows/s   vs  split lines + plain INSERT of the raw fields
//   cross-match against the deliveries                 <= 60 s             vs  the plain join (IP, window) counted
//   scoring of every IP                                <= 30 s             vs  the plain GROUP BY of the factor counts
// Usage: node bench/sources.bench.ts SYNTH_DIR [rows=10000000]
//   SYNTH_DIR from `counterseed synth --deliveries N --out SYNTH_DIR`; its counterseed.db is COPIED to a
//   temporary directory (removed at the end), so SYNTH_DIR is not changed.
import { copyFileSync, createReadStream, createWriteStream, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { once } from 'node:events';
import { scoreRisk } from '../src/app/risk.ts';
import { importSources } from '../src/app/sources-import.ts';
import { matchSources } from '../src/app/sources-match.ts';
import { loadSettings } from '../src/config/load.ts';
import { seededRandom, randomInt } from '../src/lab/prng.ts';
import { openContext } from '../src/node/context.ts';

const src = process.argv[2];
const ROWS = Number(process.argv[3] ?? 10_000_000);
if (!src || !existsSync(join(src, 'counterseed.db')) || !Number.isSafeInteger(ROWS) || ROWS < 1) {
  console.log('usage: node bench/sources.bench.ts SYNTH_DIR [rows=10000000]   (make SYNTH_DIR with: counterseed synth --deliveries 1000000 --out SYNTH_DIR)');
  process.exit(2);
}
const load = () => `load ${loadavg().map((x) => x.toFixed(2)).join(' ')}`;
const rate = (n: number, s: number) => `${Math.round(n / s).toLocaleString('en-US')} rows/s`;
const work = mkdtempSync(join(tmpdir(), 'cs-sources-bench-'));
try {
  const data = join(work, 'data');
  // The whole directory's small files plus the database (WAL checkpointed by synth's close).
  await import('node:fs/promises').then((fs) => fs.cp(src, data, { recursive: true }));
  const ctx = openContext(loadSettings({ flags: { dataDir: data }, env: {} }), () => {}, undefined, 'read');
  const db = new DatabaseSync(join(data, 'counterseed.db'));
  const deliveries = Number(db.prepare('SELECT COUNT(*) AS n FROM deliveries').get()!.n);
  console.log(`workload: ${deliveries.toLocaleString('en-US')} synthetic deliveries (${src}); partner list of ${ROWS.toLocaleString('en-US')} rows; ${load()}`);

  // The partner list: one row per sampled delivery (its IP; its source port 70 %, another port 10 %, none 20 %;
  // its start time + 0-30 s, written with an offset), the rest addresses of the same ranges at random times.
  const file = join(work, 'partner.csv');
  const out = createWriteStream(file, { highWaterMark: 1 << 20 });
  const rand = seededRandom(14);
  const ips = db.prepare('SELECT remote_ip AS ip, remote_port AS port, started_at AS t FROM deliveries WHERE id % ? = 0').iterate(Math.max(1, Math.floor(deliveries / (ROWS / 2))));
  const zones = ['Z', '+01:00', '+02:00', '-05:00'];
  const stamp = (t: number) => {
    const z = zones[randomInt(rand, zones.length)]!;
    const off = z === 'Z' ? 0 : (z[0] === '-' ? -1 : 1) * Number(z.slice(1, 3)) * 3_600_000;
    return new Date(t + off).toISOString().slice(0, 19) + z;
  };
  let written = 0;
  const write = async (line: string) => { if (!out.write(line)) await once(out, 'drain'); written++; };
  await write('ip,port,timestamp,action,file_hash,file_name,reference\n');
  written = 0;
  let lastIp = '85.164.0.1';
  for (const r of ips) {
    if (written >= ROWS) break;
    const x = rand();
    const port = x < 0.7 ? String(r.port) : x < 0.8 ? String(1024 + randomInt(rand, 64000)) : '';
    lastIp = String(r.ip);
    await write(`${lastIp},${port},${stamp(Number(r.t) + randomInt(rand, 30_000))},download,${'ab'.repeat(20)},holiday-video-${written % 10000}.mp4,REF-${written}\n`);
  }
  const base = Date.UTC(2025, 0, 1);
  while (written < ROWS) {
    const ip = `${85 + randomInt(rand, 10)}.${randomInt(rand, 256)}.${randomInt(rand, 256)}.${1 + randomInt(rand, 254)}`;
    await write(`${ip},${1024 + randomInt(rand, 64000)},${stamp(base + randomInt(rand, 365 * 86_400_000))},download,,holiday-video-${written % 10000}.mp4,REF-${written}\n`);
  }
  out.end();
  await once(out, 'finish');
  const bytes = statSync(file).size;
  console.log(`partner list: ${(bytes / 1e6).toFixed(0)} MB`);

  // 1. Import with validation vs plain inserts of the raw fields (the same file, the same database).
  let progressLines = 0;
  const rss0 = process.memoryUsage().rss;
  const imp = await importSources(ctx, {
    file, source: 'bench partner', reliability: 'B', credibility: '2', importedBy: 'bench', batch: 10_000,
    progress: ({ bytes: b, totalBytes }) => { if (b === totalBytes || b % (256 << 20) < (1 << 20)) progressLines++; },
  });
  const peak = process.resourceUsage().maxRSS * 1024;
  db.exec('CREATE TABLE bench_plain (ip TEXT, port TEXT, timestamp TEXT, action TEXT, file_hash TEXT, file_name TEXT, reference TEXT) STRICT');
  const ins = db.prepare('INSERT INTO bench_plain VALUES (?, ?, ?, ?, ?, ?, ?)');
  const t0 = performance.now();
  let plainRows = 0;
  let rest = '';
  let header = true;
  db.exec('BEGIN');
  for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop()!;
    for (const l of lines) {
      if (header) { header = false; continue; }
      const f = l.split(',');
      ins.run(f[0]!, f[1]!, f[2]!, f[3]!, f[4]!, f[5]!, f[6]!);
      if (++plainRows % 10_000 === 0) { db.exec('COMMIT'); db.exec('BEGIN'); }
    }
  }
  db.exec('COMMIT');
  const plainS = (performance.now() - t0) / 1000;
  console.log(`import with validation: ${imp.import.rows.toLocaleString('en-US')} rows in ${imp.seconds.toFixed(1)} s = ${rate(imp.import.rows, imp.seconds)} (target >= 200,000 rows/s: ${imp.import.rows / imp.seconds >= 200_000 ? 'met' : 'MISSED'})`
    + ` vs plain INSERT of the split lines ${plainS.toFixed(1)} s = ${rate(plainRows, plainS)}; ratio ${(imp.seconds / plainS).toFixed(2)}x; peak RSS ${(peak / 2 ** 20).toFixed(0)} MiB (start ${(rss0 / 2 ** 20).toFixed(0)} MiB) for a ${(bytes / 1e6).toFixed(0)} MB file; ${progressLines} progress reports; ${load()}`);
  db.exec('DROP TABLE bench_plain');

  // 2. Cross-match vs the plain join.
  const w = ctx.settings.sourcesMatchWindowS * 1000;
  const m = matchSources(ctx, { limit: 1 });
  const maxdur = Number(db.prepare('SELECT MAX(ended_at - started_at) AS n FROM deliveries').get()!.n);
  const t1 = performance.now();
  const plainMatches = Number(db.prepare(`SELECT COUNT(*) AS n FROM source_records s CROSS JOIN deliveries d
    WHERE d.remote_ip = s.ip AND d.started_at BETWEEN s.at - :w - :maxdur AND s.at + :w AND d.ended_at >= s.at - :w`).get({ w, maxdur })!.n);
  const plainMatchS = (performance.now() - t1) / 1000;
  const byRule = db.prepare('SELECT rule, COUNT(*) AS n FROM source_matches WHERE run_id = ? GROUP BY rule ORDER BY rule').all(m.run.id).map((r) => `${r.rule} ${r.n}`).join(', ');
  console.log(`cross-match (window ±${w / 1000} s): ${m.run.matches.toLocaleString('en-US')} matches stored in ${m.seconds.toFixed(1)} s (target <= 60 s: ${m.seconds <= 60 ? 'met' : 'MISSED'}) vs plain join counting ${plainMatches.toLocaleString('en-US')} IP+window pairs in ${plainMatchS.toFixed(1)} s; ratio ${(m.seconds / plainMatchS).toFixed(2)}x; by rule: ${byRule}; ${load()}`);

  // 3. Scoring every IP vs the plain GROUP BY.
  const s = scoreRisk(ctx, { top: 1 });
  const t2 = performance.now();
  const plainIps = db.prepare(`SELECT COUNT(*) AS n FROM (SELECT remote_ip, COUNT(*), COUNT(DISTINCT decoy_id), SUM(completed), COUNT(DISTINCT started_at / 86400000),
    MAX(started_at) - MIN(started_at), MIN(CASE WHEN completed = 1 THEN started_at END) FROM deliveries WHERE metadata_only = 0 GROUP BY remote_ip)`).get()!.n;
  const plainScoreS = (performance.now() - t2) / 1000;
  console.log(`risk scoring: ${s.run.ips.toLocaleString('en-US')} IPs scored and stored in ${s.seconds.toFixed(1)} s (target <= 30 s: ${s.seconds <= 30 ? 'met' : 'MISSED'}) vs plain GROUP BY of the counts (${Number(plainIps).toLocaleString('en-US')} IPs, no returns-after-warning pass, no matches, nothing stored) ${plainScoreS.toFixed(1)} s; ratio ${(s.seconds / plainScoreS).toFixed(2)}x; ${load()}`);
  db.close();
  await ctx.close();
} finally {
  rmSync(work, { recursive: true, force: true });
}

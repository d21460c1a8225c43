// Cross-matching against the deliveries (issue 14 §2 benchmark, target <= 60 s at 10,000,000
// deliveries), beside a plain SQL join on IP and window over the same data in the same run.
// Usage: node bench/match.bench.ts SYNTH_DIR [rows=deliveries] [--keep] [--in-place]
//   SYNTH_DIR from `counterseed synth --deliveries N --out SYNTH_DIR`; copied to a temporary directory
//   (removed at the end unless --keep), so SYNTH_DIR is not changed. --in-place: work on SYNTH_DIR itself
//   (a copy of your own: 10M deliveries are 4+ GB), removing every import, match and risk run in it first.
// The partner list is written straight into source_records (one complete import, grade B2): the import
// itself is bench/sources.bench.ts's figure. Like that bench's list: half the rows are sampled
// deliveries (their IP; their source port 70 %, another port 10 %, none 20 %; 0-30 s after their
// start), half random addresses of the same /8s at random times in the workload's year.
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { matchSources } from '../src/app/sources-match.ts';
import { loadSettings } from '../src/config/load.ts';
import { openContext } from '../src/node/context.ts';
import { cpu, load } from './lib/sql-figures.ts';

const args = process.argv.slice(2).filter((a) => a !== '--keep' && a !== '--in-place');
const keep = process.argv.includes('--keep');
const inPlace = process.argv.includes('--in-place');
const src = args[0];
if (!src || !existsSync(join(src, 'counterseed.db'))) {
  console.log('usage: node bench/match.bench.ts SYNTH_DIR [rows=deliveries] [--keep]   (make SYNTH_DIR with: counterseed synth --deliveries 1000000 --out SYNTH_DIR)');
  process.exit(2);
}
const work = mkdtempSync(join(tmpdir(), 'cs-match-bench-'));
const data = inPlace ? src : join(work, 'data');
try {
  if (!inPlace) cpSync(src, data, { recursive: true });
  const db = new DatabaseSync(join(data, 'counterseed.db'));
  db.exec('PRAGMA journal_mode = WAL');
  if (inPlace) db.exec('DELETE FROM risk_reviews; DELETE FROM risk_scores; DELETE FROM risk_runs; DELETE FROM source_matches; DELETE FROM source_match_runs; DELETE FROM source_records; DELETE FROM source_imports');
  const deliveries = Number(db.prepare('SELECT MAX(id) AS n FROM deliveries').get()!.n);
  const rows = Number(args[1] ?? deliveries);
  // Deterministic pseudo-random numbers in SQL: a multiplicative hash of the row number.
  const h = (x: string, salt: number, mod: number) => `((((${x}) + ${salt}) * 2654435761) % 4294967291) % ${mod}`;
  db.exec(`INSERT INTO source_imports (id, source, received_at, imported_at, imported_by, file_name, file_sha256, file_bytes, format, rows, reliability, credibility, note, status, pid)
    VALUES (1, 'bench partner', 0, 0, 'bench', 'partner.csv', '${'0'.repeat(64)}', 0, 'csv', ${rows}, 'B', 2, '', 'complete', 0)`);
  const t0 = performance.now();
  const half = Math.floor(rows / 2);
  const step = Math.max(1, Math.floor(deliveries / half));
  db.exec('BEGIN');
  db.exec(`INSERT INTO source_records (import_id, line, ip, port, at, timestamp_text, timezone, action, file_hash, file_name, reference, peer_id)
    SELECT 1, id / ${step}, remote_ip,
      CASE WHEN ${h('id', 1, 10)} < 7 THEN remote_port WHEN ${h('id', 1, 10)} = 7 THEN 1024 + ${h('id', 2, 64000)} ELSE NULL END,
      started_at + ${h('id', 3, 30000)}, '', NULL, 'download', NULL, 'holiday-video-0042.mp4', 'REF-' || id, NULL
    FROM deliveries WHERE id % ${step} = 0 LIMIT ${half}`);
  const sampled = Number(db.prepare('SELECT COUNT(*) AS n FROM source_records').get()!.n);
  const year = 365 * 86_400_000;
  db.exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${rows - sampled})
    INSERT INTO source_records (import_id, line, ip, port, at, timestamp_text, timezone, action, file_hash, file_name, reference, peer_id)
    SELECT 1, ${sampled} + i, (85 + ${h('i', 4, 10)}) || '.' || ${h('i', 5, 256)} || '.' || ${h('i', 6, 256)} || '.' || (1 + ${h('i', 7, 254)}),
      1024 + ${h('i', 8, 64000)}, ${Date.UTC(2025, 0, 1)} + ${h('i', 9, year)}, '', NULL, 'download', NULL, 'holiday-video-0042.mp4', 'REF-R' || i, NULL FROM n`);
  db.exec('COMMIT');
  console.log(`workload: ${deliveries.toLocaleString('en-US')} synthetic deliveries (${src}); ${rows.toLocaleString('en-US')} partner records (${sampled.toLocaleString('en-US')} sampled from deliveries) written in ${((performance.now() - t0) / 1000).toFixed(1)} s; ${load()}`);

  const ctx = openContext(loadSettings({ flags: { dataDir: data }, env: {} }), () => {}, undefined, 'read');
  const w = ctx.settings.sourcesMatchWindowS * 1000;
  const c0 = process.cpuUsage();
  const m = matchSources(ctx, { limit: 1 });
  const mCpu = cpu(c0);
  const byRule = db.prepare('SELECT rule, COUNT(*) AS n FROM source_matches WHERE run_id = ? GROUP BY rule ORDER BY rule').all(m.run.id).map((r) => `${r.rule} ${r.n}`).join(', ');
  console.log(`cross-match (window ±${w / 1000} s): ${m.run.matches.toLocaleString('en-US')} matches stored in ${m.seconds.toFixed(1)} s, CPU ${mCpu} (target <= 60 s: ${m.seconds <= 60 ? 'met' : 'MISSED'}); by rule: ${byRule}; ${load()}`);

  // The reference: the plain join on IP and window (no ports, no rules, nothing stored), counted.
  const maxdur = Number(db.prepare('SELECT MAX(ended_at - started_at) AS n FROM deliveries').get()!.n);
  const c1 = process.cpuUsage();
  const t1 = performance.now();
  const plain = Number(db.prepare(`SELECT COUNT(*) AS n FROM source_records s CROSS JOIN deliveries d
    WHERE d.remote_ip = s.ip AND d.started_at BETWEEN s.at - :w - :maxdur AND s.at + :w AND d.ended_at >= s.at - :w`).get({ w, maxdur })!.n);
  const plainS = (performance.now() - t1) / 1000;
  console.log(`plain join (IP and window, counted): ${plain.toLocaleString('en-US')} pairs in ${plainS.toFixed(1)} s, CPU ${cpu(c1)}; ratio ${(m.seconds / plainS).toFixed(2)}x; ${load()}`);
  db.close();
  await ctx.close();
} finally {
  if (keep && !inPlace) console.log(`kept ${data}`);
  else rmSync(work, { recursive: true, force: true });
}

// Scoring of every IP (issue 14 §3 benchmark, target <= 30 s at 10,000,000 deliveries), beside a
// plain SQL GROUP BY over the same deliveries in the same run.
// Usage: node bench/risk.bench.ts SYNTH_DIR [new=10000] [--in-place]
//   SYNTH_DIR from `counterseed synth --deliveries N --out SYNTH_DIR`; copied to a temporary directory
//   (removed at the end), so SYNTH_DIR is not changed. --in-place: work on SYNTH_DIR itself (a copy of
//   your own: 10M deliveries are 4+ GB), emptying the rollup and removing an earlier run's new deliveries first.
// Three figures:
//   1. the first score after the upgrade: the risk rollup (migration risk-001) is filled from every delivery;
//   2. a score after `new` more deliveries (copies of the latest, a day later): the target's case, the
//      rollup extended by those only;
//   3. the reference: the plain GROUP BY of the factor counts over every delivery (no returns-after-
//      warning pass, no matches, nothing stored), and the same with the returns pass (every factor).
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { scoreRisk } from '../src/app/risk.ts';
import { loadSettings } from '../src/config/load.ts';
import { openContext } from '../src/node/context.ts';
import { cpu, load } from './lib/sql-figures.ts';

const inPlace = process.argv.includes('--in-place');
const args = process.argv.slice(2).filter((a) => a !== '--in-place');
const src = args[0];
const added = Number(args[1] ?? 10_000);
if (!src || !existsSync(join(src, 'counterseed.db')) || !Number.isSafeInteger(added) || added < 0) {
  console.log('usage: node bench/risk.bench.ts SYNTH_DIR [new=10000]   (make SYNTH_DIR with: counterseed synth --deliveries 1000000 --out SYNTH_DIR)');
  process.exit(2);
}
const DAY = 86_400_000;
const work = mkdtempSync(join(tmpdir(), 'cs-risk-bench-'));
const data = inPlace ? src : join(work, 'data');
try {
  if (inPlace) {
    const db = new DatabaseSync(join(data, 'counterseed.db'));
    db.exec("DELETE FROM deliveries WHERE session_id LIKE '%-bench'");
    if (db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'risk_watermark'").get()) {
      db.exec('DELETE FROM risk_ip_day; DELETE FROM risk_ip_decoy; DELETE FROM risk_ip_network; UPDATE risk_watermark SET last_id = 0');
    }
    db.close();
  } else cpSync(src, data, { recursive: true });
  const ctx = openContext(loadSettings({ flags: { dataDir: data }, env: {} }), () => {}, undefined, 'read');
  const db = new DatabaseSync(join(data, 'counterseed.db'));
  db.exec('PRAGMA busy_timeout = 5000');
  const deliveries = Number(db.prepare('SELECT COUNT(*) AS n FROM deliveries').get()!.n);
  console.log(`workload: ${deliveries.toLocaleString('en-US')} synthetic deliveries (${src}); ${load()}`);

  const c0 = process.cpuUsage();
  const first = scoreRisk(ctx, { top: 1 });
  console.log(`1. first score (fills the risk rollup from every delivery): ${first.run.ips.toLocaleString('en-US')} IPs in ${first.seconds.toFixed(1)} s, CPU ${cpu(c0)}; ${load()}`);

  // New deliveries: copies of the latest `added`, a day later, with their own session ids.
  const top = Number(db.prepare('SELECT MAX(id) AS n FROM deliveries').get()!.n);
  const cols = (db.prepare('PRAGMA table_info(deliveries)').all() as { name: string }[]).map((c) => String(c.name)).filter((c) => c !== 'id');
  const shifted = cols.map((c) => (c === 'session_id' ? "session_id || '-bench'" : c === 'started_at' || c === 'ended_at' ? `${c} + ${DAY}` : c));
  db.exec(`INSERT INTO deliveries (${cols.join(', ')}) SELECT ${shifted.join(', ')} FROM deliveries WHERE id > ${top - added} ORDER BY id`);

  const c1 = process.cpuUsage();
  const next = scoreRisk(ctx, { top: 1 });
  console.log(`2. score after ${added.toLocaleString('en-US')} new deliveries (rollup extended by those): ${next.run.ips.toLocaleString('en-US')} IPs scored and stored in ${next.seconds.toFixed(1)} s, CPU ${cpu(c1)} (target <= 30 s: ${next.seconds <= 30 ? 'met' : 'MISSED'}); ${load()}`);

  const c2 = process.cpuUsage();
  const t2 = performance.now();
  const plainIps = Number(db.prepare(`SELECT COUNT(*) AS n FROM (SELECT remote_ip, COUNT(*), COUNT(DISTINCT decoy_id), SUM(completed), COUNT(DISTINCT started_at / ${DAY}),
    MAX(started_at) - MIN(started_at), MIN(CASE WHEN completed = 1 THEN started_at END) FROM deliveries WHERE metadata_only = 0 GROUP BY remote_ip)`).get()!.n);
  const plainS = (performance.now() - t2) / 1000;
  console.log(`3. reference, plain GROUP BY of the counts over every delivery (${plainIps.toLocaleString('en-US')} IPs, no returns pass, no matches, nothing stored): ${plainS.toFixed(1)} s, CPU ${cpu(c2)};`
    + ` ratio of 2. to it ${(next.seconds / plainS).toFixed(2)}x, of 1. ${(first.seconds / plainS).toFixed(2)}x; ${load()}`);
  if (plainIps !== next.run.ips) console.log(`   NOTE: ${next.run.ips} IPs scored, the plain GROUP BY found ${plainIps}`);
  db.close();
  await ctx.close();
} finally {
  rmSync(work, { recursive: true, force: true });
}

// `referrals due` on a synthetic workload (issue 14 part 4), beside the same answer computed the plain
// way in the same run: one SQL join of every delivery's address (GROUP BY over all deliveries, no time
// bound) with its enrichment, agency, retention rule and referrals. No target is stated for this query;
// the figure is printed to show what an operator waits for at the workload's size.
// Usage: node bench/referrals-due.bench.ts DATA_DIR [within-days=30]
//   DATA_DIR from `counterseed synth --deliveries N --out DATA_DIR` then `counterseed geo enrich --data DATA_DIR`.
//   It replaces DATA_DIR's agency and retention tables with the made-up ones below (test figures, not real periods).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { referralsDue } from '../src/app/referrals-due.ts';
import { loadSettings } from '../src/config/load.ts';
import { openContext } from '../src/node/context.ts';

const dir = process.argv[2];
const within = Number(process.argv[3] ?? 30);
if (!dir || !existsSync(join(dir, 'counterseed.db'))) {
  console.log('usage: node bench/referrals-due.bench.ts DATA_DIR [within-days]   (DATA_DIR: counterseed synth --deliveries N --out DATA_DIR; counterseed geo enrich --data DATA_DIR)');
  process.exit(2);
}
const load = () => execFileSync('uptime', { encoding: 'utf8' }).trim().replace(/^.*load average/, 'load average');
const DAY = 86_400_000;
const ctx = openContext(loadSettings({ flags: { dataDir: dir }, env: {} }), () => {}, undefined, 'read');
const ref = new DatabaseSync(join(dir, 'counterseed.db'), { readOnly: true });
const at = 0;
const rules = [
  { country: 'NO', days: 21, source: 'bench: Norwegian ISPs 2019-20 (issue 14)' },
  { country: 'NO', asn: 2119, days: 60, source: 'bench: made-up ISP override' },
  { country: 'SE', days: 180, source: 'bench: made up' },
  { country: 'DK', days: 90, source: 'bench: made up' },
  { country: 'DE', days: 7, source: 'bench: made up' },
];
ctx.store.referrals.replaceRetentionRules(rules.map((r) => ({ ...r, updatedAt: at })));
ctx.store.referrals.replaceAgencies(['NO', 'SE', 'DK', 'DE', 'US', 'GB'].map((c) => ({ country: c, agency: `agency-${c}`, contact: '', updatedAt: at })));

const n = Number(ref.prepare('SELECT COUNT(*) AS n FROM deliveries').get()!.n);
const ips = Number(ref.prepare('SELECT COUNT(DISTINCT ip_id) AS n FROM intel_ip_geo').get()!.n);
const now = Number(ref.prepare('SELECT MAX(started_at) AS m FROM deliveries').get()!.m) + 1;
console.log(`workload: ${n.toLocaleString('en-US')} deliveries, ${ips.toLocaleString('en-US')} enriched addresses (purpose: ${ctx.store.intel.purpose()}); clock at the data end ${new Date(now).toISOString()}; --within ${within}`);
console.log(load());

// Wall time and CPU time (user + system) of this process: on the shared machine the wall time is mostly waiting.
let lastCpu = 0;
const time = <T>(fn: () => T): [T, number] => {
  const c = process.cpuUsage(); const t = performance.now(); const r = fn();
  const d = process.cpuUsage(c); lastCpu = (d.user + d.system) / 1000;
  return [r, performance.now() - t];
};
// The plain way: every delivery's address, no horizon; the same joins, filter and order.
const plainSql = `
  WITH last AS (SELECT remote_ip AS ip, MAX(started_at) AS last_at FROM deliveries WHERE metadata_only = 0 AND started_at < :now GROUP BY remote_ip),
  c AS (SELECT l.ip, l.last_at, COALESCE(ra.days, rc.days) AS days FROM last l
    LEFT JOIN intel_ips i ON i.ip = l.ip LEFT JOIN intel_ip_geo g ON g.ip_id = i.ip_id
    LEFT JOIN retention_rule ra ON ra.country = g.country AND ra.asn = g.asn AND g.placeable = 1
    LEFT JOIN retention_rule rc ON rc.country = g.country AND rc.asn = 0 AND g.placeable = 1
    WHERE NOT EXISTS (SELECT 1 FROM referral_ip r WHERE r.ip = l.ip AND r.covered_to >= l.last_at))
  SELECT ip, last_at + days * ${DAY} AS deadline FROM c
  WHERE days IS NOT NULL AND last_at + days * ${DAY} >= :now AND last_at + days * ${DAY} < :end
  ORDER BY deadline, ip`;
const cold = time(() => referralsDue(ctx, { withinDays: within, now }));
const warm = time(() => referralsDue(ctx, { withinDays: within, now }));
const cpuDue = lastCpu;
const [plain, tPlain] = time(() => ref.prepare(plainSql).all({ now, end: now + within * DAY }).map((r) => `${r.ip}|${r.deadline}`));
const cpuPlain = lastCpu;
const got = warm[0].dated.map((r) => `${r.ip}|${r.deadline}`);
const same = got.length === plain.length && got.every((x, i) => x === plain[i]);
const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
console.log(`referrals due --within ${within}: ${fmt(warm[1])} warm, CPU ${fmt(cpuDue)} (${fmt(cold[1])} first run) for ${warm[0].dated.length.toLocaleString('en-US')} dated + ${warm[0].undated.length.toLocaleString('en-US')} undated rows (horizon ${warm[0].horizonDays} days)`);
console.log(`plain join over every delivery (dated rows only): ${fmt(tPlain)}, CPU ${fmt(cpuPlain)}; ratio plain/due wall ${(tPlain / warm[1]).toFixed(2)}x, CPU ${(cpuPlain / cpuDue).toFixed(2)}x; same dated answer, same order: ${same}`);
console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
console.log(load());
await ctx.close();
if (!same) process.exit(1);

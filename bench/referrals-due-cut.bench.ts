// The due list's dated rows cut at the limit (issue 13: API p95 <= 100 ms for /api/referrals/due), beside the
// full statement in the same run: every address active in the horizon placed, filtered and ordered
// (ReferralStore.candidates without a deadline window), then the window and the limit applied here. The
// answers are compared. The retention rules must be installed first (bench/referrals-due.bench.ts does it).
// Usage: node bench/referrals-due-cut.bench.ts DATA_DIR [clock=2026-01-01T03:00Z] [within-days=7] [limits=1,51,501,5001]
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { horizonDays } from '../src/app/referrals-due.ts';
import { loadSettings } from '../src/config/load.ts';
import { openContext } from '../src/node/context.ts';

const [dir, clock = '2026-01-01T03:00Z', withinArg = '7', limitsArg = '1,51,501,5001'] = process.argv.slice(2);
if (!dir || !existsSync(join(dir, 'counterseed.db')) || !Number.isFinite(Date.parse(clock))) {
  console.log('usage: node bench/referrals-due-cut.bench.ts DATA_DIR [clock=2026-01-01T03:00Z] [within-days=7] [limits=1,51,501,5001]');
  process.exit(2);
}
const DAY = 86_400_000;
const now = Date.parse(clock);
const within = Number(withinArg);
const ctx = openContext(loadSettings({ flags: { dataDir: dir }, env: {} }), () => {}, undefined, 'read');
const since = now - horizonDays(ctx, within) * DAY;
const timed = <T>(fn: () => T): [T, number, number] => {
  const c = process.cpuUsage(); const t = performance.now(); const r = fn(); const d = process.cpuUsage(c);
  return [r, performance.now() - t, (d.user + d.system) / 1000];
};
console.log(`clock ${new Date(now).toISOString()}, within ${within} days, ${ctx.store.referrals.retentionRules().length} rules; load ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
let ok = true;
for (const limit of limitsArg.split(',').map(Number)) {
  const q = { since, until: now, deadlineFrom: now, deadlineTo: now + within * DAY, includeUndated: false, limit };
  ctx.store.referrals.candidates(q); // warm
  const [cut, wCut, cCut] = timed(() => ctx.store.referrals.candidates(q));
  const [full, wFull, cFull] = timed(() => ctx.store.referrals.candidates({ since, until: now, deadlineFrom: Number.MIN_SAFE_INTEGER, includeUndated: false, limit: 100_000_000 })
    .filter((c) => c.deadline !== undefined && c.deadline >= q.deadlineFrom && c.deadline < q.deadlineTo)
    .sort((a, b) => a.deadline! - b.deadline! || (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : 0)).slice(0, limit));
  const same = JSON.stringify(cut) === JSON.stringify(full);
  ok &&= same;
  console.log(`limit ${limit}: ${cut.length} rows; cut ${wCut.toFixed(1)} ms wall, ${cCut.toFixed(1)} ms CPU; full statement ${wFull.toFixed(0)} ms wall, ${cFull.toFixed(0)} ms CPU; CPU ratio ${(cFull / cCut).toFixed(1)}x; same answer: ${same}`);
}
console.log(`load ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
await ctx.close();
if (!ok) process.exit(1);

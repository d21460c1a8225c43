// The due list's dated rows cut at the limit (issue 13: API p95 <= 100 ms for /api/referrals/due), beside the
// full statement in the same run: every address active in the horizon placed, filtered and ordered
// (ReferralStore.candidates without a deadline window), then the window, the agency and the limit applied here.
// The answers are compared for every clock, window, agency, limit and set of retention rules given. The rules
// must be installed first (bench/referrals-due.bench.ts does it); with --rule-sets the bench also runs with
// other tables (a subset, more ISP rules) and puts the installed one back at the end.
// Usage: node bench/referrals-due-cut.bench.ts DATA_DIR [clocks=2026-01-01T03:00Z] [within-days=7] [limits=1,51,501,5001] [--rule-sets] [--agency A]
//   clocks, within-days and limits are comma-separated lists.
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { horizonDays } from '../src/app/referrals-due.ts';
import { loadSettings } from '../src/config/load.ts';
import { openContext } from '../src/node/context.ts';
import type { ReferralCandidate, RetentionRule } from '../src/store/referrals.ts';

const flags = new Set(process.argv.slice(2).filter((a) => a.startsWith('--')));
const agencyAt = process.argv.indexOf('--agency');
const agencies: (string | undefined)[] = [undefined, ...(agencyAt > 0 ? [process.argv[agencyAt + 1]!] : [])];
const positional = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && all[i - 1] !== '--agency');
const [dir, clocksArg = '2026-01-01T03:00Z', withinArg = '7', limitsArg = '1,51,501,5001'] = positional;
const clocks = clocksArg.split(',').map((c) => Date.parse(c));
if (!dir || !existsSync(join(dir, 'counterseed.db')) || clocks.some((c) => !Number.isFinite(c))) {
  console.log('usage: node bench/referrals-due-cut.bench.ts DATA_DIR [clocks=2026-01-01T03:00Z] [within-days=7] [limits=1,51,501,5001] [--rule-sets] [--agency A]');
  process.exit(2);
}
const DAY = 86_400_000;
const withins = withinArg.split(',').map(Number);
const limits = limitsArg.split(',').map(Number);
const load = () => loadavg().map((x) => x.toFixed(1)).join(' ');
const ctx = openContext(loadSettings({ flags: { dataDir: dir }, env: {} }), () => {}, undefined, 'read');
const timed = <T>(fn: () => T): [T, number, number] => {
  const c = process.cpuUsage(); const t = performance.now(); const r = fn(); const d = process.cpuUsage(c);
  return [r, performance.now() - t, (d.user + d.system) / 1000];
};
const installed = ctx.store.referrals.retentionRules();
const rule = (country: string, days: number, asn?: number): RetentionRule => ({ country, days, source: 'bench: rule set', updatedAt: 0, ...(asn !== undefined ? { asn } : {}) });
// Other tables: the country rules alone, and more ISP rules (a small Norwegian ISP, an ISP rule in a country without a country rule).
const sets: [string, RetentionRule[]][] = [['installed', installed]];
if (flags.has('--rule-sets')) {
  sets.push(['country rules only', installed.filter((r) => r.asn === undefined)]);
  sets.push(['installed + NO AS25400 30, NO AS29492 14, DK AS29695 45, NL AS25400 10', [...installed, rule('NO', 30, 25400), rule('NO', 14, 29492), rule('DK', 45, 29695), rule('NL', 10, 25400)]]);
}
let ok = true;
let compared = 0;
try {
  for (const [name, rules] of sets) {
    ctx.store.referrals.replaceRetentionRules(rules);
    console.log(`rules: ${name} (${rules.map((r) => `${r.country}${r.asn ? ` AS${r.asn}` : ''} ${r.days}`).join(', ')}); load ${load()}`);
    for (const now of clocks) {
      const within = Math.max(...withins);
      const since = now - horizonDays(ctx, within) * DAY;
      // The full statement once per clock and table (the window, agency and limit only filter it).
      const [all, wFull, cFull] = timed(() => ctx.store.referrals.candidates({ since, until: now, deadlineFrom: Number.MIN_SAFE_INTEGER, includeUndated: false, limit: 100_000_000 }));
      const dated = all.filter((c) => c.deadline !== undefined).sort((a, b) => a.deadline! - b.deadline! || (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : 0));
      console.log(`  clock ${new Date(now).toISOString()}: full statement ${wFull.toFixed(0)} ms wall, ${cFull.toFixed(0)} ms CPU, ${dated.length} dated rows in the horizon`);
      for (const w of withins) {
        for (const agency of agencies) {
          for (const limit of limits) {
            const q = { since: now - horizonDays(ctx, w) * DAY, until: now, deadlineFrom: now, deadlineTo: now + w * DAY, includeUndated: false, ...(agency ? { agency } : {}), limit };
            ctx.store.referrals.candidates(q); // warm
            const [cut, wCut, cCut] = timed(() => ctx.store.referrals.candidates(q));
            const expected: ReferralCandidate[] = dated.filter((c) => c.deadline! >= q.deadlineFrom && c.deadline! < q.deadlineTo && (agency === undefined || c.agency === agency)).slice(0, limit);
            const same = JSON.stringify(cut) === JSON.stringify(expected);
            ok &&= same;
            compared++;
            console.log(`    within ${w}${agency ? `, agency ${agency}` : ''}, limit ${limit}: ${cut.length} rows; cut ${wCut.toFixed(1)} ms wall, ${cCut.toFixed(1)} ms CPU; `
              + `CPU ratio full/cut ${(cFull / cCut).toFixed(1)}x; same answer: ${same}`);
          }
        }
      }
    }
  }
} finally {
  ctx.store.referrals.replaceRetentionRules(installed);
}
console.log(`${compared} answers compared, all the same: ${ok}; load ${load()}`);
await ctx.close();
if (!ok) process.exit(1);

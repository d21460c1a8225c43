/**
 * The store connection's SQLite page cache after another connection's commit (bench/README.md, the due
 * route: the web app writes each logged consultation's access-log entry on the governance store's own
 * connection to the same file; that commit makes the store connection drop its page cache, so its next
 * read costs more). Here, on a synthetic store: the due list (referralsDue, the body of
 * /api/referrals/due) timed warm and right after an access-log entry committed on the second
 * connection, with the store connection's `PRAGMA mmap_size` 0 (SQLite's default) and MMAP bytes, the
 * settings alternated round by round in the same run; and right after a row committed on the store's own
 * connection (what sharing one connection would give). CPU ms of this process per call (median, p90).
 *
 *   bin/counterseed synth --deliveries 1000000 --out DIR
 *   node bench/sqlite-page-cache.bench.ts DIR [rounds=40] [--mmap BYTES] [--now 2026-01-01T03:00Z]
 *
 * DIR must be a synthetic data directory: the access-log entries stay in it, and the rows of a table bench_page_cache.
 */
import { loadavg } from 'node:os';
import { recordAccess } from '../src/app/access-log.ts';
import { referralsDue } from '../src/app/referrals-due.ts';
import { loadSettings } from '../src/config/load.ts';
import { openContext } from '../src/node/context.ts';
import { readPurpose } from '../src/node/data-purpose.ts';
import { openGovernanceStore } from '../src/node/governance.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';

const DIR = process.argv[2];
const ROUNDS = Number(process.argv[3] ?? 40);
const arg = (flag: string) => (process.argv.includes(flag) ? process.argv[process.argv.indexOf(flag) + 1] ?? '' : undefined);
const MMAP = Number(arg('--mmap') ?? 1 << 30);
const NOW = Date.parse(arg('--now') ?? '2026-01-01T03:00Z');
if (!DIR || readPurpose(DIR) !== 'synthetic') throw new Error('usage: node bench/sqlite-page-cache.bench.ts SYNTHETIC_DIR [rounds] [--mmap BYTES] [--now TIME]');
if (!Number.isSafeInteger(ROUNDS) || ROUNDS < 5 || ROUNDS > 10_000) throw new Error('rounds must be 5..10000');
if (!Number.isSafeInteger(MMAP) || MMAP <= 0) throw new Error('--mmap: bytes, > 0');
if (!Number.isFinite(NOW)) throw new Error('--now: a UTC time such as 2026-01-01T03:00Z');

const settings = loadSettings({ flags: { dataDir: DIR }, env: {} });
const ctx = openContext(settings, () => {}, undefined, 'read');
if (!(ctx.store instanceof SqliteStore)) throw new Error('a SQLite store only');
const db = ctx.store.database;
const gov = openGovernanceStore(settings);
const g = { gov, now: () => NOW };
const actor = { id: 0, username: 'bench-page-cache', role: 'analyst' as const };

const cpu = (fn: () => unknown): number => { const c = process.cpuUsage(); fn(); const d = process.cpuUsage(c); return (d.user + d.system) / 1000; };
// As GET /api/referrals/due asks (consultDue: 500 rows at most).
const due = () => referralsDue(ctx, { withinDays: 7, now: NOW, limit: 500 });
const commitElsewhere = () => recordAccess(g, actor, 'consult', 'bench: an access-log entry on the governance connection', 'bench');
// The same size of write committed on the store's own connection instead (as if the access log shared it): its page cache stays.
db.exec('CREATE TABLE IF NOT EXISTS bench_page_cache (at INTEGER NOT NULL, what TEXT NOT NULL)');
const commitHere = () => db.prepare('INSERT INTO bench_page_cache (at, what) VALUES (?, ?)').run(NOW, 'bench: a row of an access-log entry\'s size on the store connection'.padEnd(300, '.'));
const mmapNow = () => Number(Object.values(db.prepare('PRAGMA mmap_size').get()!)[0]);

const settingsRun = [{ name: 'mmap_size 0', bytes: 0 }, { name: `mmap_size ${MMAP}`, bytes: MMAP }];
const xs = new Map<string, number[]>();
const put = (k: string, v: number) => { if (!xs.has(k)) xs.set(k, []); xs.get(k)!.push(v); };
console.log(`${DIR}: ${due().dated.length + due().undated.length} due rows; ${ROUNDS} rounds; load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
for (let round = 0; round < ROUNDS + 2; round++) {
  for (const s of round % 2 === 0 ? settingsRun : [...settingsRun].reverse()) {
    db.exec(`PRAGMA mmap_size = ${s.bytes}`);
    if (mmapNow() !== s.bytes) throw new Error(`PRAGMA mmap_size = ${s.bytes} did not hold (${mmapNow()}): a build limit`);
    due(); // warm
    const warm = cpu(due);
    commitElsewhere();
    const after = cpu(due);
    commitHere();
    const afterHere = cpu(due);
    // Two rounds of warm-up dropped.
    if (round >= 2) { put(`${s.name} warm`, warm); put(`${s.name} after commit`, after); put(`${s.name} after own commit`, afterHere); }
  }
}
const pct = (v: number[], p: number) => { const s = [...v].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!; };
console.log(`${'case'.padEnd(42)} ${'median'.padStart(7)} ${'p90'.padStart(7)}  CPU ms per due list`);
for (const [k, v] of xs) console.log(`${k.padEnd(42)} ${pct(v, 50).toFixed(2).padStart(7)} ${pct(v, 90).toFixed(2).padStart(7)}`);
const m = (k: string) => pct(xs.get(k)!, 50);
const [a, b] = settingsRun.map((s) => s.name) as [string, string];
console.log(`after another connection's commit: ${m(`${b} after commit`).toFixed(2)} ms with ${b} against ${m(`${a} after commit`).toFixed(2)} ms with ${a} (x${(m(`${b} after commit`) / m(`${a} after commit`)).toFixed(2)}); warm: x${(m(`${b} warm`) / m(`${a} warm`)).toFixed(2)}; \
after the store connection's own commit, ${a}: ${m(`${a} after own commit`).toFixed(2)} ms (x${(m(`${a} after own commit`) / m(`${a} after commit`)).toFixed(2)} of another connection's); load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
gov.close();
await ctx.close();

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { cohorts } from '../../../../src/app/cohorts.ts';
import { importAgencies, importRetention } from '../../../../src/app/referral-tables.ts';
import { referralsDue } from '../../../../src/app/referrals-due.ts';
import { DUE_LIST_DEFAULTS, SqliteReferrals } from '../../../../src/store/sqlite/referrals/referral-tables.ts';
import { openErasure } from '../../../../src/node/erasure.ts';
import type { Context } from '../../../../src/node/context.ts';
import type { RollupPeriod } from '../../../../src/store/intelligence.ts';
import type { SyntheticDelivery } from '../../../../src/store/synthetic.ts';
import { sampleDelivery } from '../../../helpers/sample-observations.ts';
import type { StoreFactory } from '../../../helpers/store-factory.ts';
import { AGENCY_CSV, DAY, DELIVERIES, IP as R, NOW, referralFixture, RETENTION_CSV } from '../../app/referrals/fixture.ts';
import { at, fixtureContext, IP } from './intel-fixture.ts';

/**
 * Both ways to the due list: the store's referrals, and a view of the same database with the due list's threshold at -1 (always
 * by the rules' ranges and address order, which the fixtures are too small to reach otherwise).
 */
const dueWays = (ctx: Context) => [
  { few: -1, referrals: new SqliteReferrals(dbOf(ctx) as never, { fewInWindow: -1 }) },
  { few: DUE_LIST_DEFAULTS.fewInWindow, referrals: ctx.store.referrals },
];

const ALL = { from: 0, to: 8.64e15 };
type Db = { prepare(sql: string): { all(...a: unknown[]): Record<string, unknown>[]; get(...a: unknown[]): Record<string, unknown> | undefined } };
const dbOf = (ctx: Context) => (ctx.store as unknown as { database: Db }).database;

/** intel_ip_activity as the plain computation over every delivery and announce left: per address, its rollup row. */
async function plainActivity(ctx: Context): Promise<Map<string, string>> {
  const rows = new Map<string, { fs: number; ls: number; fx: number | null; fxd: number | null; fc: number | null; fcd: number | null; ld: number | null }>();
  const row = (ip: string) => {
    let r = rows.get(ip);
    if (!r) { r = { fs: Infinity, ls: -Infinity, fx: null, fxd: null, fc: null, fcd: null, ld: null }; rows.set(ip, r); }
    return r;
  };
  // Earliest first, the lower decoy on a tie (rollups.ts).
  const firstOf = (t: number | null, d: number | null, t2: number, d2: number): [number, number] => (t === null || t2 < t || (t2 === t && d2 < d!) ? [t2, d2] : [t, d!]);
  for (const d of await ctx.store.queryDeliveries({ limit: 1_000_000 })) {
    const r = row(d.remoteIp);
    r.fs = Math.min(r.fs, d.startedAt);
    r.ls = Math.max(r.ls, d.endedAt);
    if (d.completed && !d.metadataOnly) [r.fx, r.fxd] = firstOf(r.fx, r.fxd, d.startedAt, d.decoyId);
    else [r.fc, r.fcd] = firstOf(r.fc, r.fcd, d.startedAt, d.decoyId);
    if (!d.metadataOnly) r.ld = Math.max(r.ld ?? -Infinity, d.startedAt);
  }
  for (const a of await ctx.store.queryAnnounces({ limit: 1_000_000 })) {
    const r = row(a.remoteIp);
    r.fs = Math.min(r.fs, a.at);
    r.ls = Math.max(r.ls, a.at);
  }
  return new Map([...rows].map(([ip, r]) => [ip, [r.fs, r.ls, r.fx, r.fxd, r.fc, r.fcd, r.ld].join(' ')]));
}

/**
 * Every activity row's place (intel-005: what the due list's rule ranges read) is its address's current assessment, as the rules key
 * on it: country and AS number when placeable, else none. Returns how many rows are placed.
 */
function assertPlacesFollowAssessments(ctx: Context, what: string): number {
  const rows = dbOf(ctx).prepare(`SELECT i.ip, a.place_country, a.place_asn, g.ip_id AS g, g.placeable, g.country, g.asn
    FROM intel_ip_activity a JOIN intel_ips i ON i.ip_id = a.ip_id LEFT JOIN intel_ip_geo g ON g.ip_id = a.ip_id`).all();
  const n = (v: unknown) => (v === null || v === undefined ? null : typeof v === 'string' ? v : Number(v));
  const got = rows.map((r) => `${String(r.ip)} ${n(r.place_country)} ${n(r.place_asn)}`);
  const expected = rows.map((r) => (r.g !== null && Number(r.placeable) === 1 ? `${String(r.ip)} ${n(r.country)} ${n(r.asn)}` : `${String(r.ip)} null null`));
  assert.deepEqual(got, expected, what);
  return rows.filter((r) => r.place_country !== null).length;
}

function rolledActivity(ctx: Context): Map<string, string> {
  const n = (v: unknown) => (v === null ? null : Number(v));
  return new Map(dbOf(ctx).prepare(`SELECT i.ip, a.* FROM intel_ip_activity a JOIN intel_ips i ON i.ip_id = a.ip_id`).all()
    .map((r) => [String(r.ip), [r.first_seen, r.last_seen, r.first_exposure_at, r.first_exposure_decoy, r.first_contact_at, r.first_contact_decoy, r.last_delivery_at].map(n).join(' ')]));
}

/** The cohorts' counts straight from deliveries and announces (bench/intel.bench.ts's reference), per (exposed, horizon). */
function plainCohorts(ctx: Context, horizons: readonly number[], dataEnd: number): Map<string, string> {
  const rows = dbOf(ctx).prepare(`WITH a AS (
      SELECT remote_ip, MIN(CASE WHEN completed = 1 AND metadata_only = 0 THEN started_at END) AS fx,
        MIN(CASE WHEN NOT (completed = 1 AND metadata_only = 0) THEN started_at END) AS fc, MAX(ended_at) AS l
      FROM deliveries GROUP BY remote_ip),
    an AS (SELECT remote_ip, MAX(at) AS l FROM tracker_announces GROUP BY remote_ip),
    j AS (SELECT a.fx, a.fc, CASE WHEN COALESCE(an.l, 0) > a.l THEN an.l ELSE a.l END AS last FROM a LEFT JOIN an ON an.remote_ip = a.remote_ip)
    SELECT 1 AS exposed, j.fx AS t0, j.last FROM j WHERE j.fx IS NOT NULL
    UNION ALL
    SELECT 0, j.fc, j.last FROM j WHERE j.fc IS NOT NULL AND (j.fx IS NULL OR j.fc < j.fx)`).all();
  const out = new Map<string, string>();
  for (const h of horizons) {
    for (const exposed of [1, 0]) {
      const eligible = rows.filter((r) => Number(r.exposed) === exposed && Number(r.t0) + h * DAY <= dataEnd);
      if (eligible.length) out.set(`${exposed}|${h}`, `${eligible.length}/${eligible.filter((r) => Number(r.last) >= Number(r.t0) + h * DAY).length}`);
    }
  }
  return out;
}

function assertRollupsMatchPlain(ctx: Context, what: string): void {
  const intel = ctx.store.intel;
  for (const period of ['week', 'month', 'year'] as RollupPeriod[]) {
    assert.deepEqual(intel.rollupActivity(period, ALL.from, ALL.to), intel.activity(ALL, period), `${what}: activity by ${period}`);
    const norm = (rows: readonly { bucket: string; key: string; ips: number }[]) => rows.map((x) => `${x.bucket} ${x.key} ${x.ips}`).sort();
    assert.deepEqual(norm(intel.rollupUniqueIps(period, 'county', ALL.from, ALL.to)), norm(intel.uniqueIpsBy(ALL, period, 'county')), `${what}: county by ${period}`);
  }
}

/**
 * Erasure and the intelligence rollups (issue 13 §7; issue 13 benchmarks, API p95 <= 100 ms):
 * after an erasure every rollup answers as the plain query over what is left (day figures, address
 * activity and so cohorts, pairs), the referral due list read from the rollup equals the plain
 * computation, and the erasure's rollup work is set-based.
 */
export function rollupErasureContract(f: StoreFactory): void {
  describe(`rollups after erasure: ${f.name}`, () => {
    it('day activity, address activity and cohorts from the rollup equal the plain queries over what an erasure left', async () => {
      const { ctx, done } = await fixtureContext(f);
      try {
        ctx.store.intel.refreshRollups();
        // Past the watermark: A again (partial, decoy 1) and C again (complete) on Mon 20 Jan; not rolled up yet.
        const w = ctx.store.intel.syntheticWriter();
        const row = (n: number, ip: string, completed: boolean, start: number): SyntheticDelivery => ({
          sessionId: `tail-${n}`, decoyId: 1, infoHash: '1'.repeat(40), remoteIp: ip, remotePort: 52000 + n, localIp: '198.18.0.10', localPort: 6881,
          encryption: 'none', startedAt: start, endedAt: start + 60_000, peerId: new Uint8Array(20).fill(140 + n), client: 'qB', clientVersion: 'qB 5.0',
          listenPort: 7200 + n, bytesServed: 70, piecesAtEnd: 0, completed, metadataOnly: false, disconnectReason: 'peer-closed',
        });
        w.deliveries([row(1, IP.A, false, at(20, 10)), row(2, IP.C, true, at(20, 11))]);
        w.finish();
        const erasure = openErasure(ctx.store);
        // A's two sessions of Mon 6 Jan (its first exposure, and 140 bytes of that day) go: its first exposure moves to Tue 14 Jan.
        erasure.erase({ kinds: ['delivery'], before: at(7, 0), ip: IP.A, exceptIps: [] }, { erasure: 'rollups 1', at: at(40, 0) });
        // B's one delivery goes, its announce stays: B is seen, never exposed. E's first metadata-only session goes.
        erasure.erase({ kinds: ['delivery'], before: ALL.to, ip: IP.B, exceptIps: [] }, { erasure: 'rollups 2', at: at(40, 0) });
        erasure.erase({ kinds: ['delivery'], before: at(9, 0), ip: IP.E, exceptIps: [] }, { erasure: 'rollups 3', at: at(40, 0) });
        // C's rolled-up delivery and the one past the watermark go: C has no record left.
        erasure.erase({ kinds: ['delivery'], before: ALL.to, ip: IP.C, exceptIps: [] }, { erasure: 'rollups 4', at: at(40, 0) });
        const db = dbOf(ctx);
        assert.equal(Number(db.prepare('SELECT COUNT(*) AS n FROM deliveries').get()!.n), 4, 'A (Tue 14 Jan, Mon 20 Jan), D, E (Wed 15 Jan) left');

        // Before the next refresh: the rollup holds exactly the records up to its watermark that are left.
        const upTo = Number(db.prepare("SELECT last_id AS n FROM intel_watermarks WHERE name = 'deliveries'").get()!.n);
        const day = (t: number) => Math.floor(t / DAY);
        const days = db.prepare('SELECT day, deliveries, completed, bytes, metadata_only FROM intel_day_activity WHERE deliveries <> 0 OR metadata_only <> 0 ORDER BY day').all()
          .map((r) => [Number(r.day), Number(r.deliveries), Number(r.completed), Number(r.bytes), Number(r.metadata_only)]);
        const left = db.prepare('SELECT started_at, completed, metadata_only, bytes_served FROM deliveries WHERE id <= ? ORDER BY started_at').all(upTo);
        const expected = new Map<number, number[]>();
        for (const r of left) {
          const k = day(Number(r.started_at));
          const e = expected.get(k) ?? [k, 0, 0, 0, 0];
          if (Number(r.metadata_only) === 0) { e[1]!++; e[2]! += Number(r.completed); } else e[4]!++;
          e[3]! += Number(r.bytes_served);
          expected.set(k, e);
        }
        assert.deepEqual(days, [...expected.values()], 'intel_day_activity keeps only what is left');
        assert.deepEqual(rolledActivity(ctx).get(IP.A), [at(14, 10), at(14, 10) + 60_000, at(14, 10), 2, null, null, at(14, 10)].join(' '), "A's activity from Tue 14 Jan, its only rolled-up delivery left");
        assert.deepEqual(rolledActivity(ctx).get(IP.B), [at(10, 10), at(10, 10), null, null, null, null, null].join(' '), 'B: its announce only');

        ctx.store.intel.refreshRollups();
        assert.deepEqual(rolledActivity(ctx), await plainActivity(ctx), 'intel_ip_activity');
        assertPlacesFollowAssessments(ctx, 'places after the erasure and a refresh');
        assertRollupsMatchPlain(ctx, 'after the erasure and a refresh');
        const r = cohorts(ctx, { horizons: [1, 7] });
        const mine = new Map(r.totals.flatMap((t) => [
          ...(t.exposed.eligible ? [[`1|${t.horizonDays}`, `${t.exposed.eligible}/${t.exposed.returned}`] as const] : []),
          ...(t.comparison.eligible ? [[`0|${t.horizonDays}`, `${t.comparison.eligible}/${t.comparison.returned}`] as const] : [])]));
        assert.deepEqual(mine, plainCohorts(ctx, [1, 7], r.dataEnd!), 'cohorts');
        assert.ok(mine.size > 0);
      } finally { await done(); }
    });

    it('referrals due: the last delivery from the rollup equals the plain computation, with metadata-only sessions, records past the watermark and erasures, the clock inside the data', async () => {
      // X: placed in Norway (AS2119: 60 days), a delivery at -40 and a metadata-only session at -2.
      const X = '193.0.0.14';
      const { ctx, root, done } = await referralFixture([...DELIVERIES, [X, -40, false], [X, -2, true], [R.B, -1, true]], f);
      try {
        writeFileSync(join(root, 'retention.csv'), RETENTION_CSV);
        writeFileSync(join(root, 'agencies.csv'), AGENCY_CSV);
        importRetention(ctx, join(root, 'retention.csv'), NOW);
        importAgencies(ctx, join(root, 'agencies.csv'), NOW);
        ctx.store.intel.saveEnrichments([{ ip: X, enrichedAt: NOW - 100 * DAY, placeable: true, country: 'NO', asn: 2119, asOrg: 'Telenor Norge AS', caveats: [], databases: [] }]);
        ctx.store.intel.refreshRollups();
        const [decoy] = await ctx.store.listDecoys({ limit: 1 });
        const add = (ip: string, day: number, metadataOnly: boolean) => sampleDelivery(decoy!.id, decoy!.infoHash, { remoteIp: ip, startedAt: NOW + day * DAY, endedAt: NOW + day * DAY + 1000, metadataOnly, completed: !metadataOnly });
        // Past the watermark: A newer (-8), C metadata-only (-1), V6 new (-3), G after the clock (+2), D again (-2).
        await ctx.store.appendObservations([add(R.A, -8, false), add(R.C, -1, true), add(R.V6, -3, false), add(R.G, 2, false), add(R.D, -2, false)]);
        const erasure = openErasure(ctx.store);
        // X's delivery at -40 goes (the retention cut-off), its metadata-only session stays: X is no longer due.
        erasure.erase({ kinds: ['delivery'], before: NOW - 30 * DAY, ip: X, exceptIps: [] }, { erasure: 'due 1', at: NOW });
        // Everything of D (an early erasure), rolled up and past the watermark: D leaves the undated list.
        erasure.erase({ kinds: ['delivery'], before: 8.64e15, ip: R.D, exceptIps: [] }, { erasure: 'due 2', at: NOW });

        const deliveries = await ctx.store.queryDeliveries({ limit: 1_000_000 });
        const plainLast = (since: number, until: number) => {
          const m = new Map<string, number>();
          for (const d of deliveries) if (!d.metadataOnly && d.startedAt >= since && d.startedAt < until) m.set(d.remoteIp, Math.max(m.get(d.remoteIp) ?? -Infinity, d.startedAt));
          return [...m].sort((a, b) => (a[0] < b[0] ? -1 : 1));
        };
        const fromStore = (since: number, until: number) => ctx.store.referrals.candidates({ since, until, deadlineFrom: Number.MIN_SAFE_INTEGER, includeUndated: true, includeReferred: true, limit: 1000 })
          .map((c) => [c.ip, c.lastDelivery] as [string, number]).sort((a, b) => (a[0] < b[0] ? -1 : 1));
        // The clock at the data's end, and inside it (deliveries after it: I's at -5, A's at -8, G's at +2 and L's at +1).
        for (const clock of [NOW, NOW - 12 * DAY, NOW + 5 * DAY]) {
          for (const horizon of [365, 30, 9]) assert.deepEqual(fromStore(clock - horizon * DAY, clock), plainLast(clock - horizon * DAY, clock), `clock ${(clock - NOW) / DAY}, horizon ${horizon}`);
        }
        // Within 20 days: B (-20: its -1 is metadata-only), K, C, H, I; A moved to -8 (deadline +52); X left the list.
        // The due list (its dated rows by the rules' time ranges, its undated ones in address order, cut at the limit)
        // equals the full list of the window placed, filtered and ordered here.
        const full = (since: number, until: number) => ctx.store.referrals.candidates({ since, until, deadlineFrom: Number.MIN_SAFE_INTEGER, includeUndated: true, includeReferred: true, limit: 1000 });
        // Both ways to the due list: by the rules' ranges and address order (fewInWindow -1), and the full statement for a window of few addresses.
        for (const { few, referrals } of dueWays(ctx)) {
        for (const clock of [NOW, NOW - 12 * DAY, NOW + 5 * DAY]) {
          for (const within of [0, 7, 20, 400]) {
            for (const limit of [1000, 6, 2]) {
              const q = { since: clock - 365 * DAY, until: clock, deadlineFrom: clock, deadlineTo: clock + within * DAY, includeUndated: true, limit };
              const expected = full(q.since, q.until).filter((c) => c.deadline === undefined || (c.deadline >= q.deadlineFrom && c.deadline < q.deadlineTo))
                .sort((a, b) => (a.deadline === undefined ? 1 : 0) - (b.deadline === undefined ? 1 : 0) || (a.deadline ?? 0) - (b.deadline ?? 0) || (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : 0)).slice(0, limit);
              assert.deepEqual(referrals.candidates(q), expected, `fewInWindow ${few}, clock ${(clock - NOW) / DAY}, within ${within}, limit ${limit}`);
            }
          }
        }
        }
        const due = referralsDue(ctx, { withinDays: 20, now: NOW });
        assert.deepEqual(due.undated.map((x) => x.ip), [R.E, R.F]);
        assert.deepEqual(due.dated.map((x) => [x.ip, (x.lastDelivery - NOW) / DAY]), [[R.B, -20], [R.K, -361], [R.C, -175], [R.H, -10], [R.I, -5]]);
        // The clock inside the data, at -12: G (-25, deadline -4) is still due, I's last delivery is -15 (its -5 comes after the clock), H's -10 too.
        assert.deepEqual(referralsDue(ctx, { withinDays: 20, now: NOW - 12 * DAY }).dated.map((x) => [x.ip, (x.lastDelivery - NOW) / DAY]),
          [[R.G, -25], [R.B, -20], [R.K, -361], [R.C, -175], [R.I, -15]]);
        // The same answers once the rollup has taken in everything.
        const before = [NOW, NOW - 12 * DAY].map((now) => referralsDue(ctx, { withinDays: 30, now }));
        ctx.store.intel.refreshRollups();
        assert.deepEqual([NOW, NOW - 12 * DAY].map((now) => referralsDue(ctx, { withinDays: 30, now })).map((x) => [x.dated, x.undated]), before.map((x) => [x.dated, x.undated]));
        for (const clock of [NOW, NOW - 12 * DAY]) assert.deepEqual(fromStore(clock - 365 * DAY, clock), plainLast(clock - 365 * DAY, clock));
      } finally { await done(); }
    });

    // Issue 13 (API p95 <= 100 ms, /api/referrals/due with retention rules): the dated rows are read in deadline order and cut at
    // the limit. Many addresses under both kinds of rule (an address of AS2119 is covered by NO's rule and by NO AS2119's: the
    // ISP's wins), deadlines tied to the millisecond, referred addresses, records past the watermark: every limit gives the
    // first rows of the full list.
    it('referrals due cut at the limit: the first rows of the full list, with addresses under a country rule and an ISP rule, ties, referrals and records past the watermark', async () => {
      const { ctx, done } = await referralFixture(DELIVERIES, f);
      try {
        const root = ctx.settings.dataDir;
        writeFileSync(join(root, 'retention.csv'), RETENTION_CSV);
        writeFileSync(join(root, 'agencies.csv'), AGENCY_CSV);
        importRetention(ctx, join(root, 'retention.csv'), NOW);
        importAgencies(ctx, join(root, 'agencies.csv'), NOW);
        const places = [{ country: 'NO', asn: 2119 }, { country: 'NO', asn: 25400 }, { country: 'SE', asn: 3301 }, { country: 'DE', asn: 3320 }];
        const many = Array.from({ length: 48 }, (_, n) => ({ ip: `193.0.1.${n + 1}`, place: places[n % 4]!, day: -((n * 7) % 190) - 1 - (n % 3 === 0 ? 0 : 0.5) }));
        // P: rolled up at -20.2 (NO's 21 days: due first), then a delivery past the watermark at -3 (due at +18).
        // Q: rolled up at -5 and -19.8: with the clock at -12 its last delivery is -19.8, not the rollup's.
        // S: due first (-20.5), but referred.
        const P = '193.0.1.100', Q = '193.0.1.101', S = '193.0.1.102';
        ctx.store.intel.saveEnrichments([...many, { ip: P, place: places[1]! }, { ip: Q, place: places[1]! }, { ip: S, place: places[1]! }]
          .map((m) => ({ ip: m.ip, enrichedAt: NOW - 100 * DAY, placeable: true, ...m.place, caveats: [], databases: [] })));
        const [decoy] = await ctx.store.listDecoys({ limit: 1 });
        const add = (ip: string, day: number) => sampleDelivery(decoy!.id, decoy!.infoHash, { remoteIp: ip, startedAt: NOW + day * DAY, endedAt: NOW + day * DAY + 1000, metadataOnly: false, completed: true });
        // Pairs of addresses with the same last delivery (n and n + 24 share a day when 7 * 24 % 190 lands on it: ties broken by address).
        await ctx.store.appendObservations([...many.map((m) => add(m.ip, m.day)), add(many[1]!.ip, -60), add(many[2]!.ip, -120), add(P, -20.2), add(Q, -5), add(Q, -19.8), add(S, -20.5)]);
        ctx.store.intel.refreshRollups();
        // Past the watermark: newer deliveries of some, and one after a clock.
        await ctx.store.appendObservations(many.filter((_, n) => n % 5 === 0).map((m, k) => add(m.ip, -2 - k)).concat([add(many[3]!.ip, -1), add(P, -3)]));
        for (const m of [...many.filter((_, n) => n % 9 === 4), { ip: S }]) ctx.store.referrals.recordReferral({ agency: 'Kripos', createdAt: NOW, sha256: '0'.repeat(64), path: 'referral-0001.zip' }, [{ ip: m.ip, coveredTo: NOW }]);
        for (const { few, referrals } of dueWays(ctx)) {
        for (const clock of [NOW, NOW - 12 * DAY, NOW - 40 * DAY]) {
          const full = ctx.store.referrals.candidates({ since: clock - 365 * DAY, until: clock, deadlineFrom: Number.MIN_SAFE_INTEGER, includeUndated: true, limit: 10_000 });
          for (const within of [0, 7, 30, 200]) {
            for (const agency of [undefined, 'Kripos']) {
              for (const limit of [1, 2, 3, 5, 8, 13, 40, 1000]) {
                const q = { since: clock - 365 * DAY, until: clock, deadlineFrom: clock, deadlineTo: clock + within * DAY, includeUndated: false, ...(agency ? { agency } : {}), limit };
                const expected = full.filter((c) => c.deadline !== undefined && c.deadline >= q.deadlineFrom && c.deadline < q.deadlineTo && (agency === undefined || c.agency === agency))
                  .sort((a, b) => a.deadline! - b.deadline! || (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : 0)).slice(0, limit);
                assert.deepEqual(referrals.candidates(q), expected, `fewInWindow ${few}, clock ${(clock - NOW) / DAY}, within ${within}, agency ${agency}, limit ${limit}`);
              }
            }
          }
        }
        }
        // The fixture holds what it says: ISP-rule rows, country-rule rows and ties among the dated rows.
        const listed = ctx.store.referrals.candidates({ since: NOW - 365 * DAY, until: NOW, deadlineFrom: NOW, deadlineTo: NOW + 200 * DAY, includeUndated: false, limit: 1000 });
        assert.ok(listed.some((c) => c.retention?.rule === 'country+asn') && listed.some((c) => c.retention?.rule === 'country' && c.country === 'NO'));
        assert.ok(listed.some((c, i) => i > 0 && c.deadline === listed[i - 1]!.deadline), 'ties');
      } finally { await done(); }
    });

    // Session 9 (issue 13, /api/referrals/due: 50-58 ms of CPU a request at 10,000,000 deliveries with five rules): each rule's dated
    // rows come from the place columns of the activity rollup (intel-005), so the places must follow every assessment: an address
    // re-assessed moves from NO's country rule to AS2119's, out of any rule (not placeable, a country without one), or into one,
    // whether its activity row was written before or after the assessment; the list stays the full list's first rows.
    it('referrals due after re-assessments: the activity rollup\'s places follow the assessments, and the list is the full list\'s first rows', async () => {
      const { ctx, root, done } = await referralFixture(DELIVERIES, f);
      try {
        writeFileSync(join(root, 'retention.csv'), RETENTION_CSV);
        writeFileSync(join(root, 'agencies.csv'), AGENCY_CSV);
        importRetention(ctx, join(root, 'retention.csv'), NOW);
        importAgencies(ctx, join(root, 'agencies.csv'), NOW);
        const [decoy] = await ctx.store.listDecoys({ limit: 1 });
        const add = (ip: string, day: number) => sampleDelivery(decoy!.id, decoy!.infoHash, { remoteIp: ip, startedAt: NOW + day * DAY, endedAt: NOW + day * DAY + 1000, metadataOnly: false, completed: true });
        type Place = { country?: string; asn?: number; placeable?: boolean };
        const assess = (ips: readonly { ip: string; place: Place }[], at: number) => ctx.store.intel.saveEnrichments(ips.map((m) => ({
          ip: m.ip, enrichedAt: at, placeable: m.place.placeable ?? true, ...(m.place.placeable === false ? { notPlaceable: 'test' } : { country: m.place.country!, asn: m.place.asn! }), caveats: [], databases: [],
        })));
        const places: Place[] = [{ country: 'NO', asn: 2119 }, { country: 'NO', asn: 25400 }, { country: 'SE', asn: 3301 }, { country: 'DE', asn: 3320 }];
        const many = Array.from({ length: 40 }, (_, n) => ({ ip: `193.0.2.${n + 1}`, place: places[n % 4]!, day: -((n * 5) % 170) - 1 - (n % 2) / 2 }));
        // The first half assessed before its deliveries are rolled up, the second after.
        assess(many.slice(0, 20), NOW - 100 * DAY);
        await ctx.store.appendObservations(many.map((m) => add(m.ip, m.day)));
        ctx.store.intel.refreshRollups();
        assess(many.slice(20), NOW - 100 * DAY);
        const check = (what: string) => {
          for (const { few, referrals } of dueWays(ctx)) {
            for (const clock of [NOW, NOW - 12 * DAY]) {
              const full = ctx.store.referrals.candidates({ since: clock - 365 * DAY, until: clock, deadlineFrom: Number.MIN_SAFE_INTEGER, includeUndated: true, limit: 10_000 });
              for (const within of [7, 60, 200]) {
                for (const limit of [1, 3, 10, 1000]) {
                  const q = { since: clock - 365 * DAY, until: clock, deadlineFrom: clock, deadlineTo: clock + within * DAY, includeUndated: false, limit };
                  const expected = full.filter((c) => c.deadline !== undefined && c.deadline >= q.deadlineFrom && c.deadline < q.deadlineTo)
                    .sort((a, b) => a.deadline! - b.deadline! || (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : 0)).slice(0, limit);
                  assert.deepEqual(referrals.candidates(q), expected, `${what}: fewInWindow ${few}, clock ${(clock - NOW) / DAY}, within ${within}, limit ${limit}`);
                }
              }
            }
          }
        };
        assert.ok(assertPlacesFollowAssessments(ctx, 'first assessments') >= 40);
        check('first assessments');
        const before = ctx.store.referrals.candidates({ since: NOW - 365 * DAY, until: NOW, deadlineFrom: NOW, deadlineTo: NOW + 200 * DAY, includeUndated: false, limit: 1000 });
        // Every third address re-assessed: NO AS25400 -> NO AS2119 (the ISP's 60 days), SE -> not placeable, DE (no rule) -> NO, NO AS2119 -> DE, and so on.
        const moves: Place[] = [{ country: 'NO', asn: 2119 }, { placeable: false }, { country: 'NO', asn: 25400 }, { country: 'DE', asn: 3320 }, { country: 'SE', asn: 3301 }];
        assess(many.filter((_, n) => n % 3 === 0).map((m, k) => ({ ip: m.ip, place: moves[k % moves.length]! })), NOW - 50 * DAY);
        assertPlacesFollowAssessments(ctx, 're-assessments');
        check('re-assessments');
        const after = ctx.store.referrals.candidates({ since: NOW - 365 * DAY, until: NOW, deadlineFrom: NOW, deadlineTo: NOW + 200 * DAY, includeUndated: false, limit: 1000 });
        assert.notDeepEqual(after.map((c) => [c.ip, c.deadline]), before.map((c) => [c.ip, c.deadline]), 'the re-assessments move rows');
        // New deliveries of re-assessed addresses, rolled up: their rows are written again and keep the new places.
        await ctx.store.appendObservations(many.filter((_, n) => n % 6 === 0).map((m) => add(m.ip, m.day + 0.25)));
        ctx.store.intel.refreshRollups();
        assertPlacesFollowAssessments(ctx, 'a refresh after the re-assessments');
        check('a refresh after the re-assessments');
      } finally { await done(); }
    });

    it('the erasure corrects the rollups (intelligence and risk) of many addresses with as many statements as of a few (set-based)', async () => {
      const { ctx, done } = await fixtureContext(f);
      try {
        const w = ctx.store.intel.syntheticWriter();
        const many = Array.from({ length: 60 }, (_, i) => `198.51.100.${i + 1}`);
        w.deliveries(many.flatMap((ip, i) => [0, 1].map((k): SyntheticDelivery => ({
          sessionId: `many-${i}-${k}`, decoyId: 1, infoHash: '1'.repeat(40), remoteIp: ip, remotePort: 30000 + i, localIp: '198.18.0.10', localPort: 6881,
          encryption: 'none', startedAt: at(20 + 10 * k, 10), endedAt: at(20 + 10 * k, 10) + 60_000, peerId: new Uint8Array(20).fill(i), client: 'qB', clientVersion: 'qB 5.0',
          listenPort: 8000 + i, bytesServed: 10, piecesAtEnd: 0, completed: k === 1, metadataOnly: false, disconnectReason: 'peer-closed',
        }))));
        w.finish();
        ctx.store.intel.refreshRollups();
        const db = dbOf(ctx) as Db & { exec(sql: string): void };
        const counted = (fn: () => void) => {
          const prepare = db.prepare, exec = db.exec;
          // Statements on the rollups: the intelligence tables and the risk rollup.
          let n = 0;
          const intel = (sql: string) => /\b(intel|risk)_/.test(sql);
          db.prepare = function (sql: string) {
            const st = prepare.call(this, sql) as unknown as Record<string, (...a: unknown[]) => unknown>;
            for (const m of ['all', 'get', 'run']) { const g = st[m]!; st[m] = (...a: unknown[]) => { if (intel(sql)) n++; return g.apply(st, a); }; }
            return st as never;
          };
          db.exec = function (sql: string) { if (intel(sql)) n++; exec.call(this, sql); };
          try { fn(); } finally { delete (db as Partial<typeof db>).prepare; delete (db as Partial<typeof db>).exec; }
          return n;
        };
        const erase = (sel: { ip?: string }) => counted(() => openErasure(ctx.store).erase({ kinds: ['delivery'], before: at(25, 0), exceptIps: [], ...sel }, { erasure: 'set-based', at: at(40, 0) }));
        // One address's first delivery; then the first deliveries of the 59 others, with every delivery of the fixture's five addresses (all in January).
        const one = erase({ ip: many[0]! });
        const rest = erase({});
        assert.ok(one > 0 && rest <= one + 5, `statements on the rollups for 1 address: ${one}, for ${many.length - 1 + 5}: ${rest}`);
        ctx.store.intel.refreshRollups();
        assert.deepEqual(rolledActivity(ctx), await plainActivity(ctx));
        assertRollupsMatchPlain(ctx, 'after erasing many addresses');
      } finally { await done(); }
    });
  });
}

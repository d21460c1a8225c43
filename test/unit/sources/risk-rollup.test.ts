import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalWeights, parseWeights, riskScore, weightsVersion } from '../../../src/analysis/risk/factors.ts';
import { scoreRisk } from '../../../src/app/risk.ts';
import { seededRandom, randomInt } from '../../../src/lab/prng.ts';
import { openErasure } from '../../../src/node/erasure.ts';
import type { PostgresStore } from '../../../src/store/postgres/postgres-store.ts';
import type { SqliteStore } from '../../../src/store/sqlite/sqlite-store.ts';
import type { SyntheticDelivery } from '../../../src/store/synthetic.ts';
import { pgUnavailable } from '../../helpers/postgres.ts';
import { POSTGRES_STORE, SQLITE_STORE } from '../../helpers/store-factory.ts';
import { fixtureContext, T0 } from './fixture.ts';

const DAY = 86_400_000;

/**
 * The reference: every factor counted from the deliveries themselves (what scoring did before the
 * rollup, issue 14 §3), for the deliveries with id <= up.
 */
const PLAIN = `
  WITH b AS (SELECT remote_ip AS ip, COUNT(*) AS deliveries, COUNT(DISTINCT decoy_id) AS decoys, SUM(completed) AS completions,
      COUNT(DISTINCT started_at / ${DAY}) AS daysActive, (MAX(started_at) - MIN(started_at)) / ${DAY} AS persistenceDays,
      COUNT(DISTINCT COALESCE(network, 'bittorrent')) - 1 AS extraNetworks, MIN(CASE WHEN completed = 1 THEN started_at END) AS fw
    FROM deliveries WHERE metadata_only = 0 AND id <= :up GROUP BY remote_ip)
  SELECT b.ip, b.deliveries, b.decoys, b.completions, b.daysActive, b.persistenceDays, b.extraNetworks,
    (SELECT COUNT(DISTINCT d.started_at / ${DAY}) FROM deliveries d WHERE d.remote_ip = b.ip AND d.metadata_only = 0 AND d.id <= :up
      AND b.fw IS NOT NULL AND d.started_at >= (b.fw / ${DAY} + 1) * ${DAY}) AS returnsAfterWarning
  FROM b ORDER BY b.ip`;

/** Deliveries at random over 12 addresses, 5 decoys (the fixture's 1-3), 20 days: completions, metadata-only, same-day repeats. */
function randomDeliveries(seed: number, n: number, first: number): SyntheticDelivery[] {
  const rand = seededRandom(seed);
  return Array.from({ length: n }, (_, i) => {
    const start = T0 + randomInt(rand, 20) * DAY + randomInt(rand, DAY - 120_000);
    const kind = randomInt(rand, 10);
    return {
      sessionId: `r${first + i}`, decoyId: 1 + randomInt(rand, 3), infoHash: '1'.repeat(40), remoteIp: `198.51.100.${1 + randomInt(rand, 12)}`,
      remotePort: 40_000 + i, localIp: '198.18.0.10', localPort: 6881, encryption: 'none', startedAt: start, endedAt: start + 60_000,
      peerId: new Uint8Array(20).fill(5), client: 'qBittorrent', clientVersion: 'qBittorrent 4.6.7', listenPort: 7000, bytesServed: kind < 4 ? 100 : 40,
      piecesAtEnd: 0, completed: kind < 4, metadataOnly: kind === 9, disconnectReason: 'peer-closed',
    };
  });
}

/** Every value a number: PostgreSQL returns SUM over BIGINT as NUMERIC text. */
const numbers = (rows: unknown[]) => rows.map((r) => Object.fromEntries(Object.entries(r as object).map(([k, v]) => [k, k === 'ip' ? v : Number(v)])));

const pg = await pgUnavailable();
for (const factory of [SQLITE_STORE, POSTGRES_STORE]) test(`${factory.name}: scores from the risk rollup equal the factors counted from the deliveries: first fill, after new deliveries, after an erasure`, { skip: factory === POSTGRES_STORE && pg }, async () => {
  const f = await fixtureContext(factory);
  try {
    const store = f.ctx.store as SqliteStore | PostgresStore;
    const db = store.database;
    const check = (label: string) => {
      const run = scoreRisk(f.ctx, { top: 1000 }).run;
      const stored = db.prepare(`SELECT ip, deliveries, decoys, completions, days_active AS daysActive, persistence_days AS persistenceDays,
        extra_networks AS extraNetworks, returns_after_warning AS returnsAfterWarning FROM risk_scores WHERE run_id = ? ORDER BY ip`).all(run.id);
      const plain = db.prepare(PLAIN).all({ up: run.deliveriesUpTo });
      assert.ok(plain.length > 5, label);
      assert.deepEqual(numbers(stored), numbers(plain), label);
      // The score computed in SQL (riskScoreSql) is exactly the one formula of factors.ts, and what the
      // row-by-row path (riskScore in JavaScript) stores. (PostgreSQL: log2 from a table of Math.log2's, pg-risk.ts.)
      const w = parseWeights(f.ctx.settings.riskWeights);
      const scores = (id: number) => f.ctx.store.risk.top(id, 10_000).map((x) => [x.ip, x.score, riskScore(w, x.values)]);
      for (const [ip, sql, js] of scores(run.id)) assert.equal(sql, js, `${label}: ${ip}`);
      const rowByRow = f.ctx.store.risk.scoreAll({ weights: canonicalWeights(w), weightsVersion: weightsVersion(w), at: 0, score: (v) => riskScore(w, v) });
      assert.deepEqual(scores(rowByRow.id), scores(run.id), label);
      return run;
    };
    const w = store.intel.syntheticWriter();
    w.deliveries(randomDeliveries(1, 400, 0));
    const r1 = check('first fill');
    assert.equal(r1.deliveriesUpTo, 410);
    // New deliveries: the next run adds only those to the rollup, and still counts what plain SQL counts.
    w.deliveries(randomDeliveries(2, 300, 400));
    const r2 = check('after new deliveries');
    assert.equal(r2.deliveriesUpTo, 710);
    // An erasure of some deliveries (before day 8) recounts the addresses it touched.
    openErasure(store).erase({ kinds: ['delivery'], before: T0 + 8 * DAY, exceptIps: [], ip: '198.51.100.3' }, { erasure: 'test', at: Date.now() });
    const left = Number(db.prepare("SELECT COUNT(*) AS n FROM deliveries WHERE remote_ip = '198.51.100.3'").get()!.n);
    assert.ok(left > 0 && left < 70, String(left));
    check('after an erasure');
  } finally { await f.done(); }
});

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadSettings } from '../../../../src/config/load.ts';
import { openContext } from '../../../../src/node/context.ts';
import { PostgresStore } from '../../../../src/store/postgres/postgres-store.ts';
import type { SyntheticDelivery } from '../../../../src/store/synthetic.ts';
import { dropSchema, pgUnavailable, TEST_PG_URL, uniqueSchema } from '../../../helpers/postgres.ts';

// Issue 11 (dossier p95 <= 50 ms) on issue 12's month partitions: at 10,000,000 deliveries each month's
// (remote_ip, time) index cost a read per dossier even where the address never was. The records
// statement bounds the time by the address's activity, and PostgreSQL skips the other months at run time.
const unavailable = await pgUnavailable();
const X = '193.0.0.7';
const month = (m: number) => Date.UTC(2025, m, 10, 12);

test('PostgreSQL dossier: only the months from the address\'s first activity are read (deliveries), only its active months (announces)', { skip: unavailable }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cs-dossier-parts-'));
  const schema = uniqueSchema();
  const ctx = openContext(loadSettings({ flags: { dataDir: dir }, env: {} }), () => {}, () => new PostgresStore({ url: TEST_PG_URL, schema }), 'synthetic');
  try {
    ctx.store.intel.setPurpose('synthetic', 'test', 0);
    const w = ctx.store.intel.syntheticWriter();
    w.campaigns([{ id: 1, name: 'c1', perDay: 1, ttlDays: 400, createdAt: month(0) }]);
    w.decoys([{ id: 1, infoHash: '1'.repeat(40), name: 'holiday-video-0001.mp4', payloadId: ctx.payloads.list()[0]!.id, size: 100, pieceLength: 16384,
      createdAt: month(0), status: 'active', format: 'mp4', campaignId: 1, seq: 0, lang: 'no', releasedAt: month(0) }]);
    let n = 0;
    const d = (ip: string, t: number): SyntheticDelivery => ({
      sessionId: `p${++n}`, decoyId: 1, infoHash: '1'.repeat(40), remoteIp: ip, remotePort: 40000 + n, localIp: '198.18.0.10', localPort: 6881, encryption: 'none',
      startedAt: t, endedAt: t + 60_000, peerId: new Uint8Array(20).fill(n), client: 'qB', clientVersion: 'qB 5.0', listenPort: 5000, bytesServed: 100, piecesAtEnd: 0,
      completed: true, metadataOnly: false, disconnectReason: 'peer-closed',
    });
    // Another address every month of 2025 (twelve partitions of each table); X in May and July only.
    w.deliveries([...Array.from({ length: 12 }, (_, m) => d('193.0.0.9', month(m))), d(X, month(4)), d(X, month(6))]);
    w.announces(Array.from({ length: 12 }, (_, m) => ({ at: month(m) + 1000, infoHash: '1'.repeat(40), decoyId: 1, remoteIp: m === 4 ? X : '193.0.0.9', remotePort: 5000, peerId: new Uint8Array(20), event: 'started', left: 100 })));
    w.finish();
    ctx.store.intel.refreshRollups();

    // The records statement as the store sends it, explained with its own arguments.
    const db = (ctx.store as PostgresStore).database as unknown as { prepare(sql: string): { all(...a: unknown[]): Record<string, unknown>[] } };
    const prepare = db.prepare;
    let sent: { sql: string; args: unknown[] } | undefined;
    db.prepare = function (sql: string) {
      const st = prepare.call(this, sql);
      return { all: (...a: unknown[]) => { if (sql.includes('UNION ALL')) sent = { sql, args: a }; return st.all(...a); } } as never;
    };
    let records;
    try { records = ctx.store.intel.dossierRecords(X, 1000); } finally { delete (db as Partial<typeof db>).prepare; }
    assert.deepEqual(records.deliveries.map((r) => r.startedAt), [month(4), month(6)]);
    assert.deepEqual(records.announces.map((r) => r.at), [month(4) + 1000]);
    const plan = db.prepare(`EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) ${sent!.sql}`).all(...sent!.args).map((r) => String(r['QUERY PLAN'])).join('\n');
    const scanned = (table: string) => [...plan.matchAll(new RegExp(`on ${table}_y2025m(\\d\\d)\\b[^\\n]*`, 'g'))].filter((m) => !m[0].includes('never executed')).map((m) => Number(m[1])).sort((a, b) => a - b);
    assert.deepEqual(scanned('deliveries'), [5, 6, 7, 8, 9, 10, 11, 12], plan);
    // X was active from May to July (its July delivery): the announces' months outside that are skipped.
    assert.deepEqual(scanned('tracker_announces'), [5, 6, 7], plan);
  } finally {
    await ctx.close();
    await dropSchema(schema);
    rmSync(dir, { recursive: true, force: true });
  }
});

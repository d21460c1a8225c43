import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import type { NewDecoy } from '../../../src/domain/decoy.ts';
import { bucketSeries, inboundByAddress, inboundByDecoy, LOCAL_ADDRESSES } from '../../../src/store/sqlite/dht-health.ts';
import { querySwarmPresence } from '../../../src/store/sqlite/dht-presence.ts';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.ts';
import { sampleDelivery } from '../../helpers/sample-observations.ts';

const payload = { id: 'a'.repeat(64), size: 100, label: 'warning.mp4', mediaType: 'video/mp4', addedAt: 1 };
const decoy = (n: number): NewDecoy => ({
  infoHash: n.toString(16).padStart(40, '0'), name: `holiday-video-${String(n).padStart(4, '0')}.mp4`, payloadId: payload.id,
  size: 100, pieceLength: 16384, pieceCount: 1, info: new Uint8Array([n]), contentSha256: payload.id,
});
const HOUR = 3_600_000;

test('swarm presence rows are written in the observation transaction and read back', async () => {
  const s = new SqliteStore(':memory:');
  s.insertPayload(payload);
  const [d] = await s.insertDecoys([decoy(1)], 0);
  await s.appendObservations([{ kind: 'swarm-presence', at: 5, strength: 'weak', source: 'dht-get-peers', infoHash: d!.infoHash, decoyId: d!.id, remoteIp: '198.18.0.9', remotePort: 6881, localIp: '198.18.0.2' }]);
  const rows = querySwarmPresence(s.database, { infoHash: d!.infoHash });
  assert.deepEqual(rows.map((r) => [r.source, r.strength, r.remoteIp, r.decoyId]), [['dht-get-peers', 'weak', '198.18.0.9', d!.id]]);
  // A batch with a bad presence row (unknown decoy id) is rejected whole: the delivery in it is not kept either.
  await assert.rejects(s.appendObservations([
    sampleDelivery(d!.id, d!.infoHash, { sessionId: 'x1' }),
    { kind: 'swarm-presence', at: 6, strength: 'weak', source: 'dht-peer-list', infoHash: d!.infoHash, decoyId: 999, remoteIp: '198.18.0.9', remotePort: 1, localIp: '198.18.0.2' },
  ]));
  assert.equal((await s.queryDeliveries()).length, 0);
  await s.close();
});

test('health: inbound per local address in time buckets, quiet decoys first', async () => {
  const s = new SqliteStore(':memory:');
  s.insertPayload(payload);
  const [a, b] = await s.insertDecoys([decoy(1), decoy(2)], 0);
  const at = (h: number, ip: string, d = a!, i = 0) => sampleDelivery(d.id, d.infoHash, { sessionId: `${h}-${ip}-${i}-${d.id}`, startedAt: h * HOUR, endedAt: h * HOUR + 1, localIp: ip });
  // 198.18.0.2 receives peers every hour; 198.18.0.3 stops after hour 1 (blocklisted?).
  await s.appendObservations([at(0, '198.18.0.2'), at(1, '198.18.0.2'), at(2, '198.18.0.2'), at(2, '198.18.0.2', a!, 1), at(0, '198.18.0.3'), at(1, '198.18.0.3')]);
  const byAddr = inboundByAddress(s.database, 0, HOUR);
  assert.deepEqual(byAddr.map((x) => [x.localIp, x.total, x.buckets.map((bk) => bk.count)]), [
    ['198.18.0.2', 4, [1, 1, 2]], ['198.18.0.3', 2, [1, 1]],
  ]);
  assert.equal(byAddr[1]!.lastAt, 1 * HOUR);
  const byDecoy = inboundByDecoy(s.database, 0, 10);
  assert.deepEqual(byDecoy.map((x) => [x.decoyId, x.inbound, x.lastInboundAt]), [[b!.id, 0, null], [a!.id, 6, 2 * HOUR]]);
  await s.close();
});

test('health: deliveries inside one bucket share its start, whatever their own time (issue 15 item 6)', async () => {
  const s = new SqliteStore(':memory:');
  s.insertPayload(payload);
  const [a] = await s.insertDecoys([decoy(1)], 0);
  const at = (ms: number, i: number) => sampleDelivery(a!.id, a!.infoHash, { sessionId: `mid-${i}`, startedAt: ms, endedAt: ms + 1, localIp: '198.18.0.2' });
  // Three deliveries in hour 5 (none on the hour), one in hour 6.
  await s.appendObservations([at(5 * HOUR + 1, 0), at(5 * HOUR + 1_234_567, 1), at(6 * HOUR - 1, 2), at(6 * HOUR + 17, 3)]);
  const [addr] = inboundByAddress(s.database, 0, HOUR);
  assert.deepEqual(addr!.buckets, [{ bucketStart: 5 * HOUR, count: 3 }, { bucketStart: 6 * HOUR, count: 1 }]);
  assert.equal(addr!.lastAt, 6 * HOUR + 17);
  assert.throws(() => inboundByAddress(s.database, 0, 0), /positive whole number/);
  await s.close();
});

test('health series: one count per bucket from the window\'s first to the current one, both included', () => {
  const b = (h: number, count: number) => ({ bucketStart: h * HOUR, count });
  // A 24 h window from 10:30 to 10:30 the next day touches 25 hourly buckets; the last is the current hour.
  const series = bucketSeries([b(10, 1), b(20, 2), b(34, 3)], 10.5 * HOUR, 34.5 * HOUR, HOUR);
  assert.equal(series.length, 25);
  assert.deepEqual([series[0], series[10], series[24]], [1, 2, 3]);
  assert.equal(series.reduce((x, y) => x + y), 6);
  // On a boundary the window's start bucket is the first one.
  assert.deepEqual(bucketSeries([b(3, 4)], 2 * HOUR, 3 * HOUR + 1, HOUR), [0, 4]);
});

test('health CLI: deliveries of the current hour show in the text series (issue 15 item 6)', async () => {
  const data = mkdtempSync(join(tmpdir(), 'cs-health-'));
  try {
    const s = new SqliteStore(join(data, 'counterseed.db'));
    s.insertPayload(payload);
    const [a] = await s.insertDecoys([decoy(1)], 0);
    const now = Date.now();
    await s.appendObservations([0, 1, 2].map((i) => sampleDelivery(a!.id, a!.infoHash, { sessionId: `now-${i}`, startedAt: now, endedAt: now + i, localIp: '198.18.0.2' })));
    await s.close();
    const r = spawnSync(process.execPath, [fileURLToPath(new URL('../../../src/cli/main.ts', import.meta.url)), '--data', data, 'health', '--hours', '2'], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 0, r.stderr);
    const row = r.stdout.split('\n').find((l) => l.includes('198.18.0.2'))!;
    const counts = row.trim().split(/\s+/).slice(-3).map(Number);
    assert.ok(counts.at(-1) === 3 || (counts.at(-1) === 0 && counts.at(-2) === 3), `series ends ${counts.join(' ')}: the 3 deliveries are missing`);
  } finally { rmSync(data, { recursive: true, force: true }); }
});

// Session 10 (issue 13, API p95 <= 100 ms): /api/node-health on PostgreSQL at 10,000,000 deliveries read the month's whole
// (local_ip, started_at) index for a day's buckets (PostgreSQL's partitions have a BRIN on started_at, no B-tree): 35-42 ms of
// CPU a request against SQLite's 10. Each local address is now one index range; past LOCAL_ADDRESSES, the one statement as before.
test('health: inbound buckets read one local address range at a time, the same answer as the one statement past LOCAL_ADDRESSES', async () => {
  const s = new SqliteStore(':memory:');
  s.insertPayload(payload);
  const [a] = await s.insertDecoys([decoy(1)], 0);
  const at = (ms: number, ip: string, i: number) => sampleDelivery(a!.id, a!.infoHash, { sessionId: `la-${ip}-${i}`, startedAt: ms, endedAt: ms + 1, localIp: ip });
  const ip = (n: number) => `198.18.${Math.floor(n / 250)}.${1 + (n % 250)}`;
  // Three addresses: one busy, one quiet since hour 3, one only before the window.
  await s.appendObservations([0, 1, 2, 3, 4, 5].flatMap((h) => [at(h * HOUR + 7, ip(0), h), at(h * HOUR + 9, ip(0), 10 + h), ...(h <= 3 ? [at(h * HOUR, ip(1), h)] : [])]).concat([at(0, ip(2), 0)]));
  const statements: string[] = [];
  const db = s.database;
  const prepare = db.prepare.bind(db);
  db.prepare = ((sql: string) => { statements.push(sql); return prepare(sql); }) as typeof db.prepare;
  const few = inboundByAddress(db, 2 * HOUR, HOUR);
  db.prepare = prepare;
  assert.deepEqual(few.map((x) => [x.localIp, x.total, x.lastAt, x.buckets.map((b) => `${b.bucketStart / HOUR}:${b.count}`)]), [
    [ip(0), 8, 5 * HOUR + 9, ['2:2', '3:2', '4:2', '5:2']], [ip(1), 2, 3 * HOUR, ['2:1', '3:1']],
  ]);
  const grouped = statements.filter((q) => /GROUP BY/.test(q));
  assert.ok(grouped.length > 0 && grouped.every((q) => /local_ip = \?/.test(q)), `every bucket statement one address's range:\n${grouped.join('\n')}`);
  // Past LOCAL_ADDRESSES local addresses, the one statement: the same answer for the same deliveries.
  const added = Array.from({ length: LOCAL_ADDRESSES }, (_, n) => ip(3 + n));
  await s.appendObservations(added.map((x, n) => at(4 * HOUR + n, x, 100 + n)));
  statements.length = 0;
  db.prepare = ((sql: string) => { statements.push(sql); return prepare(sql); }) as typeof db.prepare;
  const many = inboundByAddress(db, 2 * HOUR, HOUR);
  db.prepare = prepare;
  assert.ok(statements.some((q) => /GROUP BY local_ip, b ORDER BY local_ip, b/.test(q) && !/local_ip = \?/.test(q)), 'the one statement');
  const expected = [...few, ...added.map((x, n) => ({ localIp: x, total: 1, lastAt: 4 * HOUR + n, buckets: [{ bucketStart: 4 * HOUR, count: 1 }] }))]
    .sort((x, y) => (x.localIp < y.localIp ? -1 : 1));
  assert.deepEqual(many, expected);
  await s.close();
});

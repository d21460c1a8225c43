import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import type { Observation } from '../../../src/domain/observation.ts';
import { openEvidence } from '../../../src/evidence/open.ts';
import { isRecordFault, writeBatch } from '../../../src/observation/batch-writer.ts';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.ts';
import { sampleDelivery } from '../../helpers/sample-observations.ts';
import { testDecoy } from '../../helpers/test-decoy.ts';

/** A chained file store whose database may grow by `pages` more pages only (PRAGMA max_page_count: SQLITE_FULL past it). */
async function cappedStore() {
  const dir = mkdtempSync(join(tmpdir(), 'cs-full-'));
  const store = new SqliteStore(join(dir, 'counterseed.db'));
  const d = testDecoy({ name: 'holiday-video-0042.mp4', size: 50_000 }).decoy;
  store.insertPayload({ id: d.payloadId, size: d.size, label: 'p', mediaType: 'video/mp4', addedAt: 1 });
  const [decoy] = await store.insertDecoys([d], 1);
  const ev = openEvidence(store, dir, { now: () => 1_764_000_100_000 });
  const batch = (n: number, from = 0): Observation[] => Array.from({ length: n }, (_, i) => sampleDelivery(decoy!.id, decoy!.infoHash, { remotePort: 1024 + from + i, startedAt: 1_764_000_000_000 + from + i }));
  const cap = (extraPages: number) => {
    const pages = Number(store.database.prepare('PRAGMA page_count').get()!.page_count);
    store.database.exec(`PRAGMA max_page_count = ${pages + extraPages}`);
  };
  return { store, ev, batch, cap };
}

it('a full database is reported as SQLite said it ("database or disk is full"), not as the failed ROLLBACK after it, and is a store fault', async () => {
  const { store, batch, cap } = await cappedStore();
  cap(2);
  const err = await store.appendObservations(batch(2000)).then(() => undefined, (e: unknown) => e as Error & { errcode?: number });
  assert.ok(err, 'the append failed');
  assert.match(err.message, /database or disk is full/);
  assert.doesNotMatch(err.message, /cannot rollback/);
  assert.equal(err.errcode! & 0xff, 13, 'SQLITE_FULL');
  assert.equal(isRecordFault(err), false, 'a full disk is not a bad record');
  assert.equal(store.database.isTransaction, false, 'nothing left open');
  await store.close();
});

it('after a full database, the held batch is written whole once there is room, and the chain verifies', async () => {
  const { store, ev, batch, cap } = await cappedStore();
  await store.appendObservations(batch(10));
  cap(2);
  const held = batch(2000, 10);
  const out = await writeBatch(store, held, { 'observations.dropped.delivery': 3 });
  assert.equal(out.written, 0);
  assert.equal(out.quarantined, 0);
  assert.equal(out.countersWritten, false);
  assert.match(out.fault!.message, /database or disk is full/);
  assert.equal(out.fault!.held, held, 'the whole batch is handed back');
  assert.equal(Number(store.database.prepare('SELECT COUNT(*) AS n FROM observation_quarantine').get()!.n), 0);
  assert.equal(ev.table.count(), 10, 'nothing of the failed batch is chained');
  cap(100_000);
  const again = await writeBatch(store, held, { 'observations.dropped.delivery': 3 });
  assert.deepEqual(again, { written: 2000, quarantined: 0, countersWritten: true });
  assert.equal(ev.table.count(), 2010);
  assert.equal((await store.counters())['observations.dropped.delivery'], 3);
  // Every record re-derives from its row and matches its link, and a checkpoint signs them all.
  assert.equal([...ev.table.range(0, 2010)].length, 2010);
  assert.equal(ev.log.checkpoint('manual').treeSize, 2010);
  await store.close();
});

import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { EvidenceLog } from '../../../src/evidence/evidence-log.ts';
import { openEvidence } from '../../../src/evidence/open.ts';
import { CheckpointThread } from '../../../src/observation/checkpoint-thread.ts';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.ts';
import { sampleDelivery } from '../../helpers/sample-observations.ts';
import { evidenceFixture } from './fixture.ts';

/**
 * Issue 16 target (chained ingest >= 50,000/s with every checkpoint audited): the audit reads a
 * read-only snapshot and holds no write lock, so the node's writer keeps committing while it runs;
 * only its outcome is written, in a short transaction. Before, the whole audit ran inside the
 * checkpoint's write transaction, on the writer thread (13,252/s).
 */
const clock = (note: string) => ({ kind: 'clock' as const, at: 1_764_000_050_000, source: 'tsc; test', syncState: 'synchronized' as const, ntpOffsetMs: null, ntpServer: null, note });

describe('the checkpoint audit on a read-only snapshot', () => {
  it('the file store gives the log a snapshot; a write commits while the audit reads, and the checkpoint covers what the snapshot held', async () => {
    const f = await evidenceFixture();
    try {
      f.ev.log.checkpoint('manual'); // the index exists: the next audit extends it (a first one rebuilds it, inside the write transaction)
      f.ev.log.append([clock('to audit')]);
      const backend = f.store.evidenceLog();
      assert.ok(backend.snapshot, 'a file store has a read-only snapshot connection');
      const snap = backend.snapshot;
      let wroteDuringAudit = -1;
      const log = new EvidenceLog({
        table: f.ev.table, key: f.ev.key, now: () => 1_764_000_100_000, transaction: (fn) => backend.transaction(fn),
        snapshot: {
          table: snap.table,
          read: (fn) => snap.read(() => {
            const r = fn();
            // The audit has read its snapshot; the writer commits a record now (no lock is held: this would wait 5 s and throw if one were).
            const t0 = performance.now();
            f.ev.log.append([clock('written during the audit')]);
            assert.ok(performance.now() - t0 < 1000);
            wroteDuringAudit = f.ev.table.count();
            return r;
          }),
        },
      });
      const before = f.ev.table.count();
      const cp = log.checkpoint('manual');
      assert.equal(wroteDuringAudit, before + 1);
      assert.equal(cp.treeSize, before, 'the checkpoint covers the snapshot, not the record written meanwhile');
      const next = f.ev.log.checkpoint('manual');
      assert.equal(next.treeSize, before + 1, 'the next checkpoint audits and covers it');
    } finally { await f.store.close(); rmSync(f.dir, { recursive: true, force: true }); }
  });

  it('another process signs between the snapshot and the write: the audit runs again from its checkpoint', async () => {
    const f = await evidenceFixture();
    const other = new SqliteStore(join(f.dir, 'counterseed.db'));
    try {
      f.ev.log.checkpoint('manual');
      f.ev.log.append([clock('to audit')]);
      const backend = f.store.evidenceLog();
      const snap = backend.snapshot!;
      let raced = 0;
      const otherEv = openEvidence(other, f.dir, { now: () => 1_764_000_100_000 });
      const log = new EvidenceLog({
        table: f.ev.table, key: f.ev.key, now: () => 1_764_000_100_000, transaction: (fn) => backend.transaction(fn),
        snapshot: { table: snap.table, read: (fn) => snap.read(() => { const r = fn(); if (raced++ === 0) { otherEv.log.append([clock('other')]); otherEv.log.checkpoint('manual'); } return r; }) },
      });
      const cp = log.checkpoint('manual');
      assert.equal(raced, 2, 'audited twice');
      assert.equal(cp.treeSize, f.ev.table.count());
      // The second audit found the other process's checkpoint over every record: nothing left to sign, it is returned.
      const rows = f.ev.table.listCheckpoints(10);
      assert.equal(cp.text, rows[0]!.text);
      assert.ok(rows[1]!.treeSize < rows[0]!.treeSize, 'no checkpoint signed over the stale snapshot');
      otherEv.detach();
    } finally { await other.close(); await f.store.close(); rmSync(f.dir, { recursive: true, force: true }); }
  });
});

describe('the checkpoint thread (src/observation/checkpoint-thread.ts)', () => {
  it('signs the start checkpoint, the shutdown checkpoint over every record, and refuses a damaged log naming the record', async () => {
    const f = await evidenceFixture();
    const logged: string[] = [];
    try {
      const path = join(f.dir, 'counterseed.db');
      const t = await CheckpointThread.start({ dbPath: path, dataDir: f.dir, checkpoints: { everyRecords: 1_000_000, intervalMs: 3_600_000 }, log: (m) => logged.push(m) });
      assert.equal(f.ev.table.latestCheckpoint()!.reason, 'start');
      assert.equal(f.ev.table.latestCheckpoint()!.treeSize, f.ev.table.count());
      const d = (await f.store.queryDeliveries())[0]!;
      await f.store.appendObservations([0, 1, 2].map((i) => sampleDelivery(d.decoyId, d.infoHash, { remoteIp: `198.18.2.${i}` })));
      await t.stop();
      const last = f.ev.table.latestCheckpoint()!;
      assert.deepEqual([last.reason, last.treeSize], ['shutdown', f.ev.table.count()]);
      assert.ok(JSON.parse(last.text).index, 'audited: it signs the key index');

      // A row of a new record deleted: the thread's checkpoints refuse, with the record number, and sign nothing.
      const t2 = await CheckpointThread.start({ dbPath: path, dataDir: f.dir, checkpoints: { everyRecords: 1_000_000, intervalMs: 3_600_000 }, log: (m) => logged.push(m) });
      await f.store.appendObservations([3, 4].map((i) => sampleDelivery(d.decoyId, d.infoHash, { remoteIp: `198.18.2.${i}` })));
      const gone = Number(f.store.database.prepare('SELECT MAX(id) AS id FROM deliveries').get()!.id) - 1;
      const seq = f.ev.table.selectLinks({}, 1000).find((l) => l.kind === 'delivery' && l.rowId === gone)!.seq;
      f.store.database.exec(`DELETE FROM deliveries WHERE id = ${gone}`);
      const signed = f.ev.table.listCheckpoints(100).length;
      await t2.stop();
      assert.equal(f.ev.table.listCheckpoints(100).length, signed, 'nothing signed over the damaged log');
      assert.ok(logged.some((m) => new RegExp(`EVIDENCE LOG DAMAGED.*record ${seq} \\(delivery\\): its deliveries row ${gone} is gone`).test(m)), logged.join('\n'));
    } finally { f.ev.detach(); await f.store.close(); rmSync(f.dir, { recursive: true, force: true }); }
  });
});

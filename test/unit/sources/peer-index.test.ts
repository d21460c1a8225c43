import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { test } from 'node:test';
import type { SourceRow } from '../../../src/sources/source-row.ts';
import { PEER_INDEX_SQL } from '../../../src/store/sqlite/sources/peer-index.ts';
import { fixtureContext } from './fixture.ts';

const row = (n: number): SourceRow => ({
  line: n + 2, ip: '192.0.2.20', port: null, at: Date.UTC(2025, 2, 2, 9), timestampText: '2025-03-02T09:00:00Z', timezone: null, action: 'download',
  fileHash: null, fileName: 'holiday-video-0042.mp4', reference: `R-${n}`, peerId: (n * 2_654_435_761 % 2 ** 32).toString(16).padStart(40, '0'),
});
const META = { source: 'x', receivedAt: 0, importedAt: 0, importedBy: 't', fileName: 'x.csv', format: 'csv' as const, reliability: 'F' as const, credibility: 6 as const, note: '', pid: process.pid };

test('the peer-id index: dropped by an import with many peer ids, built again when it completes, is abandoned, or at the next match run', async () => {
  const f = await fixtureContext();
  const db = new DatabaseSync(join(f.ctx.settings.dataDir, 'counterseed.db'));
  const indexSql = () => db.prepare("SELECT sql FROM sqlite_master WHERE name = 'source_records_peer'").get()?.sql;
  try {
    const s = f.ctx.store.sources;
    // The constant the store rebuilds from is the migration's definition.
    assert.equal(indexSql(), PEER_INDEX_SQL);
    const load = (id: number, from: number, n: number) => { for (let i = from; i < from + n; i += 10_000) s.addRecords(id, Array.from({ length: 10_000 }, (_, k) => row(i + k))); };

    const a = s.beginImport(META);
    load(a, 0, 90_000);
    assert.equal(indexSql(), PEER_INDEX_SQL, 'a small import keeps it');
    load(a, 90_000, 20_000);
    assert.equal(indexSql(), undefined, 'dropped once the import has 100,000 peer ids');
    s.finishImport(a, 'a'.repeat(64), 1, 110_000);
    assert.equal(indexSql(), PEER_INDEX_SQL, 'built again with the complete mark');
    assert.match(JSON.stringify(db.prepare('EXPLAIN QUERY PLAN SELECT id FROM source_records WHERE peer_id = ?').all(Buffer.alloc(20))), /source_records_peer/);

    // 110,000 rows in the table now: a second import drops it only at 1/16 of them AND 100,000 of its own, then abandons.
    const b = s.beginImport(META);
    load(b, 200_000, 100_000);
    assert.equal(indexSql(), undefined);
    s.abandonImport(b);
    assert.equal(indexSql(), PEER_INDEX_SQL, 'built again when the import is abandoned');

    // A process that died mid-import left it dropped: the next match run (or import's clean-up) builds it.
    const c = s.beginImport(META);
    load(c, 400_000, 100_000);
    assert.equal(indexSql(), undefined);
    s.match(60_000, Date.UTC(2025, 3, 1));
    assert.equal(indexSql(), PEER_INDEX_SQL);
    assert.equal(s.imports().length, 1, 'the loading import is still not read');
  } finally { db.close(); await f.done(); }
});

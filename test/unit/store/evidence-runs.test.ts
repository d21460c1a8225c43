import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, it } from 'node:test';
import type { Observation } from '../../../src/domain/observation.ts';
import { loadOrCreateNodeKey } from '../../../src/evidence/keys.ts';
import { leafHashOfText } from '../../../src/evidence/merkle.ts';
import { openEvidence } from '../../../src/evidence/open.ts';
import { encodeRecord, GENESIS_PREV } from '../../../src/evidence/record.ts';
import { MAX_RUN } from '../../../src/store/sqlite/migrations/evidence-003.ts';
import { RecordRowWriter } from '../../../src/store/sqlite/record-tables/row-writer.ts';
import { MIGRATIONS } from '../../../src/store/sqlite/schema.ts';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.ts';
import { sampleDelivery } from '../../helpers/sample-observations.ts';
import { testDecoy } from '../../helpers/test-decoy.ts';

const DECOY = testDecoy({ name: 'holiday-video-0042.mp4', size: 20_000 }).decoy;
const delivery = (i: number) => sampleDelivery(1, DECOY.infoHash, { remoteIp: `198.18.${i >> 8}.${i & 255}`, remotePort: 1024 + i, startedAt: 1_764_000_000_000 + i });
const presence = (i: number): Observation => ({
  kind: 'swarm-presence', at: 1_764_000_000_000 + i, strength: 'weak', source: 'dht-get-peers', infoHash: DECOY.infoHash, decoyId: 1,
  remoteIp: '198.18.9.9', remotePort: 6881, localIp: '198.18.0.2',
});

type RunShape = [firstSeq: number, kind: string, firstRowId: number | null, count: number];
const runsOf = (db: DatabaseSync): RunShape[] => db.prepare('SELECT first_seq, kind, first_row_id, count FROM evidence_runs ORDER BY first_seq').all()
  .map((r) => [Number(r.first_seq), String(r.kind), r.first_row_id === null ? null : Number(r.first_row_id), Number(r.count)]);

function addDecoy(db: DatabaseSync): void {
  db.prepare('INSERT INTO payloads (id, size, label, media_type, added_at) VALUES (?, ?, ?, ?, 1)').run(DECOY.payloadId, DECOY.size, 'p', 'video/mp4');
  db.prepare(`INSERT INTO decoys (id, info_hash, name, payload_id, size, piece_length, piece_count, info, content_sha256, status, created_at)
    VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, 'active', 1)`).run(DECOY.infoHash, DECOY.name, DECOY.payloadId, DECOY.size, DECOY.pieceLength, DECOY.pieceCount, DECOY.info, DECOY.contentSha256);
}

describe('evidence runs (evidence-003)', () => {
  it('a batch is cut into runs of one kind with consecutive rows, at most MAX_RUN long, and every record re-derives', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cs-runs-'));
    const store = new SqliteStore(join(dir, 'counterseed.db'));
    addDecoy(store.database);
    const ev = openEvidence(store, dir);
    const batch: Observation[] = [];
    for (let i = 0; i < MAX_RUN + 10; i++) batch.push(delivery(i));
    batch.push(presence(0), presence(1), delivery(1000), presence(2));
    await store.appendObservations(batch);
    await store.appendObservations([delivery(1001)]);
    assert.deepEqual(runsOf(store.database), [
      [0, 'delivery', 1, MAX_RUN], [MAX_RUN, 'delivery', MAX_RUN + 1, 10], [MAX_RUN + 10, 'swarm-presence', 1, 2],
      [MAX_RUN + 12, 'delivery', MAX_RUN + 11, 1], [MAX_RUN + 13, 'swarm-presence', 3, 1],
      // A new batch starts a new run even when its row follows on.
      [MAX_RUN + 14, 'delivery', MAX_RUN + 12, 1],
    ]);
    const all = [...ev.table.range(0, ev.table.count())];
    assert.equal(all.length, MAX_RUN + 15);
    all.forEach((r, i) => assert.equal(r.seq, i));
    assert.deepEqual([...ev.table.range(MAX_RUN - 1, MAX_RUN + 1)].map((r) => r.seq), [MAX_RUN - 1, MAX_RUN], 'a range across a run boundary');
    // select() finds a record in the middle of a run, with its own seq and hash.
    const mid = ev.table.select({ ip: '198.18.0.100' }, 10);
    assert.deepEqual(mid.map((r) => r.seq), [100]);
    assert.ok(mid[0]!.hash.equals(all[100]!.hash));
    assert.equal(ev.table.countFrom(MAX_RUN - 3), 18);
    assert.equal(ev.log.checkpoint('manual').treeSize, MAX_RUN + 15);

    // Rows written while the log is detached are not chained, so no run reaches them.
    ev.detach();
    await store.appendObservations([delivery(2000)]);
    assert.deepEqual(ev.table.select({ ip: `198.18.${2000 >> 8}.${2000 & 255}` }, 10), []);
    await store.close();
  });

  it('converts evidence-002 links into runs: islands of one kind, consecutive seqs and rows, cut at MAX_RUN; legacy records stay runs of one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cs-runs-mig-'));
    const path = join(dir, 'counterseed.db');
    const { key } = loadOrCreateNodeKey(dir);
    const db = new DatabaseSync(path);
    db.exec('CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL) STRICT');
    for (const m of MIGRATIONS.slice(0, MIGRATIONS.findIndex((x) => x.name === 'evidence-003'))) {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations VALUES (?, 1)').run(m.name);
    }
    addDecoy(db);
    // Rows are written by today's codec, which also binds the v2 columns (observations-network-001, NULL
    // here: v1 records); they are added for the writes and dropped again before the store migrates.
    const v2Tables = ['deliveries', 'swarm_presence'];
    for (const t of v2Tables) db.exec(`ALTER TABLE ${t} ADD COLUMN network TEXT; ALTER TABLE ${t} ADD COLUMN content_id TEXT`);
    db.prepare("INSERT INTO evidence_meta (name, value) VALUES ('node', ?)").run(key.fingerprint);
    const rows = new RecordRowWriter(db);
    const link = db.prepare('INSERT INTO evidence_links (seq, kind, row_id, hash) VALUES (?, ?, ?, ?)');
    let prev = GENESIS_PREV;
    let seq = 0;
    const hashes: Buffer[] = [];
    // seq 0: an evidence-001 record (text in evidence_legacy).
    const legacy = encodeRecord(delivery(9999), seq, prev, key.fingerprint);
    db.prepare('INSERT INTO evidence_legacy (seq, kind, at, ip, decoy_id, record, hash) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(seq, legacy.kind, legacy.at, '198.18.39.15', 1, legacy.text, legacy.hash);
    link.run(seq++, 'delivery', null, legacy.hash);
    hashes.push(legacy.hash);
    prev = legacy.hash.toString('hex');
    const chain = (o: Observation) => {
      const w = rows.write(o);
      const h = leafHashOfText(w.codec.recordText(w.values, seq, prev, key.fingerprint));
      link.run(seq++, w.kind, w.rowId, h);
      hashes.push(h);
      prev = h.toString('hex');
    };
    for (let i = 0; i < MAX_RUN + 5; i++) chain(delivery(i)); // rows 1..261: one island, cut at MAX_RUN
    chain(presence(0));
    chain(delivery(500)); // row 262, after a record of another kind
    rows.write(delivery(501)); // row 263, never chained
    chain(delivery(502)); // row 264: the row ids jump, so a new run
    for (const t of v2Tables) db.exec(`ALTER TABLE ${t} DROP COLUMN network; ALTER TABLE ${t} DROP COLUMN content_id`);
    db.close();

    const store = new SqliteStore(path);
    assert.deepEqual(runsOf(store.database), [
      [0, 'delivery', null, 1], [1, 'delivery', 1, MAX_RUN], [MAX_RUN + 1, 'delivery', MAX_RUN + 1, 5],
      [MAX_RUN + 6, 'swarm-presence', 1, 1], [MAX_RUN + 7, 'delivery', MAX_RUN + 6, 1], [MAX_RUN + 8, 'delivery', MAX_RUN + 8, 1],
    ]);
    const ev = openEvidence(store, dir);
    const all = [...ev.table.range(0, ev.table.count())];
    assert.equal(all.length, hashes.length);
    all.forEach((r, i) => assert.ok(r.hash.equals(hashes[i]!), `record ${i} keeps its hash`));
    assert.equal(all[0]!.text, legacy.text);
    await store.appendObservations([delivery(503)]);
    assert.equal((JSON.parse([...ev.table.range(hashes.length, hashes.length + 1)][0]!.text) as { prev: string }).prev, prev, 'new records chain on');
    assert.equal(ev.log.checkpoint('manual').treeSize, hashes.length + 1);
    await store.close();
  });
});

import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { it } from 'node:test';
import { loadOrCreateNodeKey } from '../../../src/evidence/keys.ts';
import { openEvidence } from '../../../src/evidence/open.ts';
import { encodeRecord, GENESIS_PREV } from '../../../src/evidence/record.ts';
import { MIGRATIONS } from '../../../src/store/sqlite/schema.ts';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.ts';
import { sampleDelivery } from '../../helpers/sample-observations.ts';
import { testDecoy } from '../../helpers/test-decoy.ts';

/**
 * A database chained under evidence-001 (record text stored beside the row) keeps every record
 * through evidence-002: old records are read from their stored text, new ones chain on after them.
 */
it('evidence-002 keeps records chained under evidence-001 and chains on after them', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cs-legacy-'));
  const path = join(dir, 'counterseed.db');
  const { key } = loadOrCreateNodeKey(dir);
  const d = testDecoy({ name: 'holiday-video-0042.mp4', size: 20_000 }).decoy;

  // The schema as session 1 shipped it, with two records written the evidence-001 way.
  const old = new DatabaseSync(path);
  old.exec('CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL) STRICT');
  const shipped = MIGRATIONS.slice(0, MIGRATIONS.findIndex((m) => m.name === 'core-003'));
  for (const m of shipped) { old.exec(m.sql); old.prepare('INSERT INTO schema_migrations VALUES (?, 1)').run(m.name); }
  old.prepare('INSERT INTO payloads VALUES (?, ?, ?, ?, 1)').run(d.payloadId, d.size, 'p', 'video/mp4');
  old.prepare(`INSERT INTO decoys (id, info_hash, name, payload_id, size, piece_length, piece_count, info, content_sha256, status, created_at)
    VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, 'active', 1)`).run(d.infoHash, d.name, d.payloadId, d.size, d.pieceLength, d.pieceCount, d.info, d.contentSha256);
  let prev = GENESIS_PREV;
  const legacyTexts: string[] = [];
  for (let seq = 0; seq < 2; seq++) {
    const o = sampleDelivery(1, d.infoHash, { remotePort: 40_000 + seq });
    const r = encodeRecord(o, seq, prev, key.fingerprint);
    old.prepare('INSERT INTO evidence_log (seq, kind, at, ip, decoy_id, record, hash) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(seq, r.kind, r.at, o.remoteIp, 1, r.text, r.hash);
    legacyTexts.push(r.text);
    prev = r.hash.toString('hex');
  }
  old.close();

  const store = new SqliteStore(path);
  const ev = openEvidence(store, dir);
  await store.appendObservations([sampleDelivery(1, d.infoHash, { remotePort: 40_002 })]);
  const rows = [...ev.table.range(0, ev.table.count())];
  assert.equal(rows.length, 3);
  assert.deepEqual(rows.slice(0, 2).map((r) => r.text), legacyTexts, 'old records keep their exact text');
  assert.equal((JSON.parse(rows[2]!.text) as { prev: string }).prev, prev, 'the first new record links to the last old one');
  assert.deepEqual(ev.table.select({ ip: '198.18.0.11' }, 10).map((r) => r.seq), [0, 1, 2], 'filters reach old and new records');
  ev.log.checkpoint('manual');

  // The node check reads the fingerprint carried over from the old records.
  const other = mkdtempSync(join(tmpdir(), 'cs-legacy-other-'));
  await store.close();
  const again = new SqliteStore(path);
  assert.throws(() => openEvidence(again, other), /written by node/);
  await again.close();
});

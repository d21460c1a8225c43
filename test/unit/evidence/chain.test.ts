import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { mkdtempSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { verifyCheckpoint } from '../../../src/evidence/checkpoint.ts';
import { Checkpointer } from '../../../src/evidence/checkpointer.ts';
import { leafHash, MerkleLevels } from '../../../src/evidence/merkle.ts';
import { openEvidence } from '../../../src/evidence/open.ts';
import { GENESIS_PREV } from '../../../src/evidence/record.ts';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.ts';
import { sampleDelivery } from '../../helpers/sample-observations.ts';
import { evidenceFixture } from './fixture.ts';

describe('evidence chain in the observation transaction', () => {
  it('chains every appended observation: contiguous seq, prev = hash of the previous record, hash = leaf hash', async () => {
    const f = await evidenceFixture();
    const rows = [...f.ev.table.range(0, 1000)];
    assert.equal(rows.length, f.ev.table.count());
    assert.ok(rows.length >= 8);
    let prev = GENESIS_PREV;
    for (const [i, r] of rows.entries()) {
      const j = JSON.parse(r.text) as { seq: number; prev: string; node: string };
      assert.equal(j.seq, i);
      assert.equal(r.seq, i);
      assert.equal(j.prev, prev);
      assert.equal(j.node, f.ev.key.fingerprint);
      assert.ok(leafHash(Buffer.from(r.text)).equals(r.hash));
      prev = r.hash.toString('hex');
    }
    const deliveries = await f.store.queryDeliveries();
    assert.equal(rows.filter((r) => r.text.includes('"kind":"delivery"')).length, deliveries.length);
  });

  it('a batch that fails to insert leaves neither observations nor chain records', async () => {
    const f = await evidenceFixture();
    const before = f.ev.table.count();
    const d = (await f.store.queryDeliveries())[0]!;
    // Duplicate session id: the UNIQUE constraint fails the second insert, the whole batch rolls back.
    await assert.rejects(f.store.appendObservations([sampleDelivery(d.decoyId, d.infoHash), sampleDelivery(d.decoyId, d.infoHash, { sessionId: d.sessionId })]));
    assert.equal(f.ev.table.count(), before);
    await f.store.appendObservations([sampleDelivery(d.decoyId, d.infoHash)]);
    assert.equal(f.ev.table.head()!.seq, before, 'no gap after the rollback');
    assert.equal([...f.ev.table.range(before, before + 1)].length, 1, 'and the new record re-derives from its row');
  });

  it('signs checkpoints whose root is the tree over all records; verifies with the public key only', async () => {
    const f = await evidenceFixture();
    const cp = f.ev.log.checkpoint('manual');
    const leaves = [...f.ev.table.hashes(0, cp.treeSize)];
    assert.equal(cp.treeSize, f.ev.table.count());
    assert.equal(cp.body.root, new MerkleLevels(leaves).root().toString('hex'));
    assert.equal(cp.body.head, leaves[leaves.length - 1]!.toString('hex'));
    assert.ok(verifyCheckpoint(cp, createPublicKey(f.ev.key.publicPem)));
    assert.ok(!verifyCheckpoint({ ...cp, text: cp.text.replace(`"tree_size":${cp.treeSize}`, `"tree_size":${cp.treeSize + 1}`) }, createPublicKey(f.ev.key.publicPem)));
    // Incremental: the next checkpoint extends the stored frontier and still equals the full recomputation.
    const d = (await f.store.queryDeliveries())[0]!;
    for (let i = 0; i < 5; i++) await f.store.appendObservations([sampleDelivery(d.decoyId, d.infoHash)]);
    const cp2 = f.ev.log.checkpoint('manual');
    assert.equal(cp2.treeSize, cp.treeSize + 5);
    assert.equal(cp2.body.root, new MerkleLevels([...f.ev.table.hashes(0, cp2.treeSize)]).root().toString('hex'));
    assert.equal(f.ev.log.checkpoint('manual').body.at, cp2.body.at, 'nothing new: the latest checkpoint is returned');
  });

  it('a record deleted from the database is caught at the next checkpoint (new records) or at export (older ones)', async () => {
    const f = await evidenceFixture();
    const d = (await f.store.queryDeliveries())[0]!;
    f.ev.log.checkpoint('manual');
    const size = f.ev.table.count();
    for (let i = 0; i < 3; i++) await f.store.appendObservations([sampleDelivery(d.decoyId, d.infoHash)]);
    // Each append was a batch of one: a run of one record each.
    f.store.database.exec(`DELETE FROM evidence_runs WHERE first_seq = ${size + 1}`);
    assert.throws(() => f.ev.log.checkpoint('manual'), /gaps: records \d+\.\.\d+ are missing/);

    // Seq 3 is the fixture's tracker announce, a run of its own.
    const g = await evidenceFixture();
    g.ev.log.checkpoint('manual');
    g.store.database.exec('DELETE FROM evidence_runs WHERE first_seq = 3');
    await assert.rejects(g.exportTo(join(g.dir, 'x'), { ip: '198.18.0.11' }), /gaps: records 3\.\.3 are missing/);

    // One hash cut from the end of a run (seq 4..8: five deliveries) leaves a hole before the next run.
    const h = await evidenceFixture();
    h.ev.log.checkpoint('manual');
    h.store.database.exec('UPDATE evidence_runs SET count = count - 1, hashes = substr(hashes, 1, 32 * (count - 1)) WHERE first_seq = 4 AND count = 5');
    // The checkpoint's audit now counts the runs against the head, so it refuses too (it used to return the old checkpoint).
    assert.throws(() => h.ev.log.checkpoint('manual'), /gaps: records 8\.\.8 are missing/);
    await assert.rejects(h.exportTo(join(h.dir, 'x'), { ip: '198.18.0.11' }), /gaps: records 8\.\.8 are missing/);
  });

  it('an observation row edited after it was chained is refused at export', async () => {
    const f = await evidenceFixture();
    f.ev.log.checkpoint('manual');
    const before = [...f.ev.table.range(0, f.ev.table.count())];
    f.store.database.exec(`UPDATE deliveries SET remote_port = remote_port + 1 WHERE id = (SELECT MIN(id) FROM deliveries)`);
    assert.throws(() => [...f.ev.table.range(0, f.ev.table.count())], /no longer matches its chained hash/);
    await assert.rejects(f.exportTo(join(f.dir, 'x'), {}), /no longer matches its chained hash/);
    assert.ok(before.length > 0);
  });

  it('a deleted observation row, or a link pointed at another row, is refused', async () => {
    const f = await evidenceFixture();
    f.store.database.exec('DELETE FROM deliveries WHERE id = (SELECT MAX(id) FROM deliveries)');
    assert.throws(() => [...f.ev.table.range(0, f.ev.table.count())], /row \d+ is gone/);
    const g = await evidenceFixture();
    // One run per first row (UNIQUE kind, first_row_id); a planted copy of a row with another port is not its record.
    assert.throws(() => g.store.database.exec(`UPDATE evidence_runs SET first_row_id = (SELECT MIN(id) FROM deliveries)
      WHERE first_seq = (SELECT MAX(first_seq) FROM evidence_runs WHERE kind = 'delivery')`), /UNIQUE/);
    const cols = 'session_id, decoy_id, info_hash, remote_ip, local_ip, local_port, transport, encryption, started_at, ended_at, peer_id, client, client_version, listen_port, bytes_served, blocks_served, served_ranges, pieces_at_start, pieces_at_end, completed, metadata_pieces, metadata_only, disconnect_reason';
    g.store.database.exec(`INSERT INTO deliveries (remote_port, ${cols}) SELECT remote_port + 1, ${cols.replace('session_id', "'planted'")}
      FROM deliveries WHERE id = (SELECT MAX(id) FROM deliveries)`);
    g.store.database.exec(`UPDATE evidence_runs SET first_row_id = (SELECT id FROM deliveries WHERE session_id = 'planted')
      WHERE first_seq = (SELECT MAX(first_seq) FROM evidence_runs WHERE kind = 'delivery')`);
    assert.throws(() => [...g.ev.table.range(0, g.ev.table.count())], /no longer matches its chained hash/);
  });

  it('every record re-derived from its row equals the text hashed at ingest, for every kind', async () => {
    const f = await evidenceFixture();
    const kinds = new Set([...f.ev.table.range(0, f.ev.table.count())].map((r) => r.kind));
    for (const k of ['delivery', 'tracker-announce', 'rejected-connection', 'swarm-presence', 'clock']) assert.ok(kinds.has(k), `fixture has a ${k} record`);
  });

  it('checkpoints: at start, after the first records, then after N records, and once at stop', async () => {
    const f = await evidenceFixture();
    const count = () => f.ev.table.listCheckpoints(100).length;
    const before = count();
    const d = (await f.store.queryDeliveries())[0]!;
    // Records the last checkpoint does not cover yet, as a node killed before its first periodic checkpoint left them.
    await f.store.appendObservations([sampleDelivery(d.decoyId, d.infoHash)]);
    const cp = new Checkpointer({ log: f.ev.log, now: () => 0, onError: (e) => { throw e; } }, { everyRecords: 3, intervalMs: 1e9 });
    cp.start();
    assert.equal(count(), before + 1, 'a checkpoint at start');
    assert.equal(f.ev.table.latestCheckpoint()!.reason, 'start');
    assert.equal(f.ev.table.latestCheckpoint()!.treeSize, f.ev.table.count());
    cp.tick();
    assert.equal(count(), before + 1, 'nothing new: no checkpoint');
    await f.store.appendObservations([sampleDelivery(d.decoyId, d.infoHash)]);
    cp.tick();
    assert.equal(count(), before + 2, 'the first record of the run is signed at the next tick, not after N records or T ms');
    const n0 = count();
    await f.store.appendObservations([sampleDelivery(d.decoyId, d.infoHash), sampleDelivery(d.decoyId, d.infoHash)]);
    cp.tick();
    assert.equal(count(), n0, '2 < 3 records: no checkpoint yet');
    await f.store.appendObservations([sampleDelivery(d.decoyId, d.infoHash)]);
    cp.tick();
    assert.equal(count(), n0 + 1);
    await f.store.appendObservations([sampleDelivery(d.decoyId, d.infoHash)]);
    cp.stop();
    const last = f.ev.table.latestCheckpoint()!;
    assert.equal(last.reason, 'shutdown');
    assert.equal(last.treeSize, f.ev.table.count());
  });

  it('keys: private key 0600, refuses a world-readable key, refuses a log written by another key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cs-key-'));
    const store = new SqliteStore(join(dir, 'counterseed.db'));
    const ev = openEvidence(store, dir);
    assert.ok(ev.keyCreated);
    assert.equal(statSync(join(dir, 'keys', 'node-ed25519.key.pem')).mode & 0o777, 0o600);
    ev.log.append([{ kind: 'clock', at: 1, source: 's', syncState: 'unknown', ntpOffsetMs: null, ntpServer: null, note: 'start' }]);
    ev.detach();
    chmodSync(join(dir, 'keys', 'node-ed25519.key.pem'), 0o644);
    assert.throws(() => openEvidence(store, dir), /readable by others/);
    // Replace the key: the existing log names the old node, so the new key is refused.
    writeFileSync(join(dir, 'keys', 'node-ed25519.key.pem'), '');
    const other = mkdtempSync(join(tmpdir(), 'cs-key-'));
    const ev2 = openEvidence(new SqliteStore(':memory:'), other);
    assert.notEqual(ev2.key.fingerprint, ev.key.fingerprint);
    assert.throws(() => openEvidence(store, other), /written by node/);
    await store.close();
  });
});

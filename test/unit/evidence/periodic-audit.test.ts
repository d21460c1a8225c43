import assert from 'node:assert/strict';
import { sign } from 'node:crypto';
import { canonicalJson } from '../../../src/evidence/canonical-json.ts';
import { describe, it } from 'node:test';
import { Checkpointer } from '../../../src/evidence/checkpointer.ts';
import { IndexLeaves } from '../../../src/evidence/index-leaves.ts';
import { MerkleLevels } from '../../../src/evidence/merkle.ts';
import { openEvidence } from '../../../src/evidence/open.ts';
import { sampleDelivery } from '../../helpers/sample-observations.ts';
import { evidenceFixture } from './fixture.ts';

/**
 * Issue 17 item 1: every checkpoint is audited, the node's own periodic ones too. Before, the
 * periodic, start and shutdown checkpoints signed the tree only (v1), so a row deleted or changed
 * between two of them was signed over; these tests failed on b5de196.
 */
async function twoPeriodic() {
  const f = await evidenceFixture();
  f.ev.log.checkpoint('start');
  const d = (await f.store.queryDeliveries())[0]!;
  await f.store.appendObservations([0, 1, 2].map((i) => sampleDelivery(d.decoyId, d.infoHash, { remoteIp: `198.18.1.${i}`, startedAt: 1_764_000_050_000 + i })));
  const newRows = f.store.database.prepare('SELECT id FROM deliveries ORDER BY id DESC LIMIT 3').all().map((r) => Number(r.id)).reverse();
  const seqOf = (id: number) => f.ev.table.selectLinks({}, 1000).find((l) => l.kind === 'delivery' && l.rowId === id)!.seq;
  return { f, d, newRows, seqOf };
}

describe('the audit before every checkpoint', () => {
  it('periodic checkpoints are v4: they sign the key index, and only the keys they touched are rehashed', async () => {
    const { f } = await twoPeriodic();
    const cp = f.ev.log.checkpoint('periodic');
    assert.equal(cp.body.type, 'counterseed-checkpoint/v4');
    assert.equal(cp.body.index_size, f.ev.table.index.size());
    // Another process reads the index from the database, hashes every leaf, and must reach the same root.
    const other = openEvidence(f.store, f.dir);
    try { assert.equal(other.log.checkpoint('manual', { force: true }).body.index, cp.body.index); } finally { other.detach(); }
  });

  it('a row of a record added since the last checkpoint, deleted: the next periodic checkpoint refuses, naming the record', async () => {
    const { f, newRows, seqOf } = await twoPeriodic();
    const seq = seqOf(newRows[1]!);
    f.store.database.exec(`DELETE FROM deliveries WHERE id = ${newRows[1]}`);
    assert.throws(() => f.ev.log.checkpoint('periodic'), new RegExp(`record ${seq}: its deliveries row ${newRows[1]} is gone`));
  });

  it('a row added since the last checkpoint, changed: refused, naming the record', async () => {
    const { f, newRows, seqOf } = await twoPeriodic();
    const seq = seqOf(newRows[0]!);
    f.store.database.exec(`UPDATE deliveries SET remote_ip = '198.18.9.9' WHERE id = ${newRows[0]}`);
    assert.throws(() => f.ev.log.checkpoint('periodic'), new RegExp(`record ${seq} \\(delivery row ${newRows[0]}\\) no longer matches its chained hash`));
  });

  it('a row signed by an earlier checkpoint, deleted between two periodic ones: the table count falls short and the full count names the record', async () => {
    const { f, d, seqOf } = await twoPeriodic();
    f.ev.log.checkpoint('periodic');
    const old = Number(f.store.database.prepare('SELECT MIN(id) AS id FROM deliveries').get()!.id);
    const seq = seqOf(old);
    f.store.database.exec(`DELETE FROM deliveries WHERE id = ${old}`);
    await f.store.appendObservations([sampleDelivery(d.decoyId, d.infoHash, { remoteIp: '198.18.1.7' })]);
    assert.throws(() => f.ev.log.checkpoint('periodic'), new RegExp(`record ${seq} \\(delivery\\): its deliveries row ${old} is gone`));
  });

  it('a deleted row no record names (written unchained) is reported by its count', async () => {
    const { f, d } = await twoPeriodic();
    f.ev.detach();
    await f.store.appendObservations([sampleDelivery(d.decoyId, d.infoHash, { remoteIp: '198.18.1.8' })]);
    const unchained = Number(f.store.database.prepare('SELECT MAX(id) AS id FROM deliveries').get()!.id);
    const ev = openEvidence(f.store, f.dir);
    try {
      ev.log.checkpoint('periodic');
      f.store.database.exec(`DELETE FROM deliveries WHERE id = ${unchained}`);
      await f.store.appendObservations([sampleDelivery(d.decoyId, d.infoHash, { remoteIp: '198.18.1.9' })]);
      assert.throws(() => ev.log.checkpoint('periodic'), /1 delivery row\(s\) deleted since the last checkpoint/);
    } finally { ev.detach(); }
  });

  it('the node\'s checkpointer reports a refusal loudly at every attempt and does not throw', async () => {
    const { f, d, newRows } = await twoPeriodic();
    const errors: string[] = [];
    const cp = new Checkpointer({ log: f.ev.log, now: () => 0, onError: (e) => errors.push(e.message) }, { everyRecords: 1, intervalMs: 1000 });
    cp.tick(); // the first records of the run: signed
    assert.deepEqual(errors, []);
    f.store.database.exec(`DELETE FROM deliveries WHERE id = ${newRows[2]}`);
    await f.store.appendObservations([sampleDelivery(d.decoyId, d.infoHash, { remoteIp: '198.18.1.10' })]);
    assert.doesNotThrow(() => cp.tick());
    await f.store.appendObservations([sampleDelivery(d.decoyId, d.infoHash, { remoteIp: '198.18.1.11' })]);
    assert.doesNotThrow(() => cp.tick());
    assert.equal(errors.length, 2, errors.join("\n"));
    // The deleted row was the table's last: SQLite gave the next delivery its id, so counting rows per run alone would not see it.
    for (const m of errors) assert.match(m, /^EVIDENCE LOG DAMAGED, nothing is signed until it is resolved: record \d+ \(delivery\): its deliveries row \d+ is gone: the row was deleted and its id reused by record \d+$/);
  });
});

describe('IndexLeaves (the key index leaf hashes kept between checkpoints)', () => {
  const h = (s: string) => Buffer.alloc(32, s);
  it('updates and inserts in key order; its root is the RFC 9162 root over the sorted leaves', () => {
    const all = new Map<string, Buffer>();
    const leaves = IndexLeaves.empty();
    assert.equal(leaves.root(), new MerkleLevels([]).root().toString('hex'));
    for (const batch of [['ip:b', 'ip:d'], ['ip:a', 'ip:d', 'ip:e'], ['decoy:1', 'ip:c', 'ip:b']]) {
      const changed = new Map(batch.map((k, i) => [k, h(`${k}${i}${all.size}`)]));
      for (const [k, v] of changed) all.set(k, v);
      leaves.update(changed);
      const sorted = [...all.keys()].sort();
      assert.equal(leaves.size, sorted.length);
      assert.equal(leaves.root(), new MerkleLevels(sorted.map((k) => all.get(k)!)).root().toString('hex'));
      for (const k of sorted) assert.deepEqual(leaves.hashOf(k), all.get(k));
    }
    assert.equal(leaves.hashOf('ip:zz'), undefined);
    assert.throws(() => IndexLeaves.fromSorted([{ key: 'b', hash: h('1') }, { key: 'a', hash: h('2') }]), /out of order/);
  });
});

for (const [old, keys] of [['v2', 'no time or net keys'], ['v3', 'hour keys']] as const) {
  describe(`a log whose newest signed index is ${old} (${keys})`, () => {
    it('has its index rebuilt from record 0 at the next checkpoint, which is v4 and files every record under its minute', async () => {
      const { f } = await twoPeriodic();
      const now = f.ev.log.checkpoint('manual');
      // As a node before this change signed it: the same tree, an older type, and (v3) an hour key for every record.
      const body = { ...now.body, type: `counterseed-checkpoint/${old}` };
      const text = canonicalJson(body);
      const last = f.ev.table.latestCheckpoint()!;
      f.ev.table.insertCheckpoint({ treeSize: last.treeSize, at: body.at, reason: 'manual', text, signature: sign(null, Buffer.from(text), f.ev.key.privateKey), frontier: last.frontier });
      f.store.database.exec("DELETE FROM evidence_index_records WHERE key_id IN (SELECT id FROM evidence_index_keys WHERE key LIKE 'time:%'); DELETE FROM evidence_index_keys WHERE key LIKE 'time:%'");
      if (old === 'v3') f.store.database.exec(`INSERT INTO evidence_index_keys (key, count, acc) VALUES ('time:2025-11-24T16', ${last.treeSize}, zeroblob(32))`);
      const d = (await f.store.queryDeliveries())[0]!;
      await f.store.appendObservations([sampleDelivery(d.decoyId, d.infoHash, { remoteIp: '198.18.1.30' })]);
      const cp = f.ev.log.checkpoint('periodic');
      assert.equal(cp.body.type, 'counterseed-checkpoint/v4');
      const minutes = f.ev.table.index.between('time:', 'time;');
      assert.ok(minutes.every((k) => /^time:\d{4}-\d\d-\d\dT\d\d:\d\d$/.test(k.key)), minutes.map((k) => k.key).join());
      assert.equal(minutes.reduce((n, k) => n + k.count, 0), cp.treeSize, 'every record is under its minute');
      const other = openEvidence(f.store, f.dir);
      try { assert.equal(other.log.checkpoint('manual', { force: true }).body.index, cp.body.index); } finally { other.detach(); }
    });
  });
}

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NewDecoy } from '../../../../src/domain/decoy.ts';
import { NotFoundError } from '../../../../src/domain/errors.ts';
import type { Observation, SwarmPresenceObservation } from '../../../../src/domain/observation.ts';
import { leafHashOfText } from '../../../../src/evidence/merkle.ts';
import { openEvidence } from '../../../../src/evidence/open.ts';
import type { BuiltDecoy } from '../../../../src/store/decoy-files.ts';
import type { Store } from '../../../../src/store/store.ts';
import { sampleAnnounce, sampleDelivery } from '../../../helpers/sample-observations.ts';

/** One store implementation under test: a fresh, empty store per test, and a directory for its node key. */
export interface StoreFactory {
  readonly name: string;
  open(): Promise<{ store: Store; dir: string; dispose(): Promise<void> }>;
}

const DAY = 86_400_000;
export const PAYLOAD = { id: 'a'.repeat(64), size: 168_820, label: 'warning.mp4', mediaType: 'video/mp4', addedAt: 1 };
export const VARIANT = { id: 'b'.repeat(64), size: 1000, label: 'warning.zip', mediaType: 'application/zip', addedAt: 2 };

export const newDecoy = (n: number, over: Partial<NewDecoy> = {}): NewDecoy => ({
  infoHash: n.toString(16).padStart(40, '0'), name: `holiday-video-${String(n).padStart(4, '0')}.mp4`, payloadId: PAYLOAD.id,
  size: 168_820, pieceLength: 16384, pieceCount: 11, info: new Uint8Array([1, 2, 3, n & 255]), contentSha256: PAYLOAD.id, ...over,
});
const built = (n: number): BuiltDecoy => ({
  decoy: newDecoy(n, { size: 4000 + n }),
  files: [{ variantId: VARIANT.id, format: 'zip', size: 4000 + n, nonce: new Uint8Array([n, 1, 2, 3]), path: ['holiday', `part-${n}.zip`] }],
});
const presence = (decoyId: number, infoHash: string, at: number): SwarmPresenceObservation => ({
  kind: 'swarm-presence', at, strength: 'weak', source: 'dht-get-peers', infoHash, decoyId, remoteIp: '198.18.0.20', remotePort: 6881, localIp: '198.18.0.2',
});

/**
 * THE store contract suite: what the node and the use cases rely on, run against every Store
 * implementation (SQLite now; PostgreSQL must pass the same). Nothing here knows a table or a query.
 */
export function storeContract(f: StoreFactory): void {
  const withStore = (fn: (s: Store, dir: string) => Promise<void>) => async () => {
    const { store, dir, dispose } = await f.open();
    try {
      store.insertPayload(PAYLOAD);
      store.insertPayload(VARIANT);
      await fn(store, dir);
    } finally { await dispose(); }
  };

  describe(`store contract: ${f.name}`, () => {
    it('payload catalog: registered payloads, oldest first', withStore(async (s) => {
      assert.deepEqual(s.getPayload(PAYLOAD.id), PAYLOAD);
      assert.equal(s.getPayload('c'.repeat(64)), undefined);
      assert.deepEqual(s.listPayloads().map((p) => p.id), [PAYLOAD.id, VARIANT.id]);
      s.relabelPayload(PAYLOAD.id, 'warning-no.mp4');
      assert.deepEqual(s.getPayload(PAYLOAD.id), { ...PAYLOAD, label: 'warning-no.mp4' });
    }));

    it('decoys: all or nothing, a duplicate infohash refused; get, list, filters', withStore(async (s) => {
      const [a, b] = await s.insertDecoys([newDecoy(1), newDecoy(2)], 1000);
      assert.deepEqual([a!.status, a!.createdAt, b!.id > a!.id], ['active', 1000, true]);
      await assert.rejects(s.insertDecoys([newDecoy(3), newDecoy(1)], 1000), /already exists/);
      assert.deepEqual((await s.listDecoys()).map((d) => d.name), [a!.name, b!.name], 'the failed batch left nothing');
      assert.deepEqual(await s.getDecoy(a!.id), a);
      assert.equal(await s.getDecoy(999_999), undefined);
      assert.equal((await s.listDecoys({ limit: 1 })).length, 1);
      assert.equal((await s.listDecoys({ payloadId: VARIANT.id })).length, 0);
      const [sized] = await s.insertDecoys([newDecoy(3, { size: 4242 })], 1000);
      assert.deepEqual((await s.listDecoys({ size: 4242 })).map((x) => x.id), [sized!.id]);
      assert.deepEqual(s.decoyInfoSync(b!.id), newDecoy(2).info);
      assert.equal(s.decoyInfoSync(999_999), undefined);
    }));

    it('decoys retired by hand: by id, all in one go, recorded with when and why; no longer served; found by infohash and name', withStore(async (s) => {
      const [a, b, c] = await s.insertDecoys([newDecoy(1), newDecoy(2), newDecoy(3)], 1000);
      assert.deepEqual((await s.listDecoys({ infoHash: b!.infoHash })).map((d) => d.id), [b!.id]);
      assert.deepEqual((await s.listDecoys({ name: c!.name })).map((d) => d.id), [c!.id]);
      assert.deepEqual(await s.retireDecoys([a!.id, c!.id], 5000, 'lab sample'), [a!.id, c!.id]);
      assert.deepEqual(await s.retireDecoys([a!.id, b!.id], 6000, 'again'), [b!.id], 'an already retired decoy is left as it is');
      assert.deepEqual((await s.listDecoys({ status: 'active' })).map((d) => d.id), []);
      assert.equal(await s.countServedDecoys(), 0);
      assert.deepEqual(await s.decoyRetirements(), [
        { decoyId: a!.id, retiredAt: 5000, reason: 'lab sample' }, { decoyId: c!.id, retiredAt: 5000, reason: 'lab sample' }, { decoyId: b!.id, retiredAt: 6000, reason: 'again' },
      ]);
      assert.deepEqual(await s.decoyRetirements({ decoyId: c!.id }), [{ decoyId: c!.id, retiredAt: 5000, reason: 'lab sample' }]);
      assert.deepEqual(await s.retireDecoys([999_999], 7000, 'x'), [], 'an unknown id retires nothing');
    }));

    it('served decoys: every active one once, compact, in id order, a page at a time', withStore(async (s) => {
      const made = await s.insertDecoys(Array.from({ length: 7 }, (_, i) => newDecoy(i + 1)), 1000);
      assert.equal(await s.countServedDecoys(), 7);
      const pages: number[][] = [];
      for await (const page of s.servedDecoyPages(3)) pages.push(page.map((d) => d.id));
      assert.deepEqual(pages, [made.slice(0, 3), made.slice(3, 6), made.slice(6)].map((p) => p.map((d) => d.id)));
      const [first] = await s.listServedDecoys({ afterId: 0, limit: 1 });
      assert.deepEqual({ ...first }, { id: made[0]!.id, infoHash: made[0]!.infoHash, payloadId: PAYLOAD.id, size: 168_820, pieceLength: 16384, pieceCount: 11, infoLength: 4 });
      assert.deepEqual((await s.listServedDecoys({ afterId: made[5]!.id, limit: 10 })).map((d) => d.id), [made[6]!.id]);
    }));

    it('observations: a batch is stored whole or not at all; queries filter and order; quarantine and counters', withStore(async (s) => {
      const [d] = await s.insertDecoys([newDecoy(1)], 1000);
      const early = sampleDelivery(d!.id, d!.infoHash, { startedAt: 1000, endedAt: 2000 });
      const late = sampleDelivery(d!.id, d!.infoHash, { startedAt: 5000, endedAt: 6000, remoteIp: '198.18.0.99' });
      await s.appendObservations([late, sampleAnnounce(d!.infoHash, d!.id), early]);
      assert.deepEqual((await s.queryDeliveries()).map((o) => o.sessionId), [early.sessionId, late.sessionId]);
      assert.deepEqual(await s.queryDeliveries({ ip: '198.18.0.99' }), [late]);
      assert.deepEqual((await s.queryDeliveries({ since: 3000 })).map((o) => o.sessionId), [late.sessionId]);
      assert.equal((await s.queryDeliveries({ decoyId: d!.id + 1 })).length, 0);
      assert.equal((await s.queryDeliveries({ limit: 1 })).length, 1);
      assert.equal((await s.queryAnnounces({ infoHash: d!.infoHash })).length, 1);
      assert.equal((await s.queryAnnounces({ infoHash: 'f'.repeat(40) })).length, 0);
      const bad = { ...sampleDelivery(d!.id, d!.infoHash), bytesServed: 1.5 } as Observation;
      await assert.rejects(s.appendObservations([sampleDelivery(d!.id, d!.infoHash), bad]));
      assert.equal((await s.queryDeliveries()).length, 2, 'the batch with a bad record left nothing');
      await s.quarantineObservation(bad, 'not an integer');
      await s.addToCounter('observations.dropped.delivery', 2);
      await s.addToCounter('observations.dropped.delivery', 3);
      assert.deepEqual(await s.counters(), { 'observations.dropped.delivery': 5, 'observations.quarantined.delivery': 1 }, 'quarantine counts itself');
      // Counters handed in with a batch are stored with it, or not at all.
      await s.appendObservations([sampleDelivery(d!.id, d!.infoHash)], { 'observations.dropped.tracker-announce': 4 });
      await assert.rejects(s.appendObservations([bad], { 'observations.dropped.tracker-announce': 1 }));
      assert.equal((await s.counters())['observations.dropped.tracker-announce'], 4);
    }));

    it('decoy files: inserted with their decoys all or nothing, read back exactly', withStore(async (s) => {
      const [d] = s.decoyFiles.insert([built(1)], 1000);
      assert.deepEqual(s.decoyFiles.files(d!.id), built(1).files);
      const [plain] = await s.insertDecoys([newDecoy(9)], 1000);
      assert.equal(s.decoyFiles.files(plain!.id), undefined, 'a decoy built without the factory has no files');
      const taken = s.decoyFiles.sizeTaken();
      assert.deepEqual([taken(4001, VARIANT.id), taken(4002, VARIANT.id), taken(4001, PAYLOAD.id)], [true, false, false]);
      assert.throws(() => s.decoyFiles.insert([built(2)], 1000, () => { throw new Error('campaign link failed'); }), /campaign link failed/);
      assert.throws(() => s.decoyFiles.insert([built(3), built(1)], 1000), /already exists/);
      assert.throws(() => s.decoyFiles.insert([built(4)], 1000, undefined, () => { throw new Error('variant not registered'); }), /variant not registered/);
      assert.deepEqual((await s.listDecoys()).map((x) => x.id), [d!.id, plain!.id], 'failed inserts left no decoys');
      assert.equal(s.decoyFiles.sizeTaken()(4002, VARIANT.id), false, '... and no files');
    }));

    it('decoy files, streamed (begin): slices in one transaction, visible at commit, nothing after a rollback or a failed add; decoys list a page after an id', withStore(async (s) => {
      const seen: string[] = [];
      const b = s.decoyFiles.begin(1000, () => { seen.push('first'); });
      assert.equal(b.add([built(1), built(2)]), 2);
      assert.equal(b.add([built(3)]), 3);
      assert.equal(s.decoyFiles.sizeTaken()(4003, VARIANT.id), true, 'slices already added count as taken for the next ones');
      assert.equal(b.commit(), 3);
      b.rollback(); // no-op after commit
      assert.deepEqual(seen, ['first']);
      const all = await s.listDecoys();
      assert.equal(all.length, 3);
      assert.deepEqual(s.decoyFiles.files(all[2]!.id), built(3).files);
      assert.deepEqual((await s.listDecoys({ afterId: all[0]!.id, limit: 1 })).map((d) => d.id), [all[1]!.id]);
      assert.deepEqual(await s.listDecoys({ afterId: all[2]!.id }), []);
      const dropped = s.decoyFiles.begin(1000);
      dropped.add([built(4)]);
      dropped.rollback();
      const dup = s.decoyFiles.begin(1000);
      dup.add([built(5)]);
      assert.throws(() => dup.add([built(1)]), /already exists/);
      assert.throws(() => dup.commit(), /closed/, 'a failed add closes the batch');
      assert.throws(() => s.decoyFiles.begin(1000, () => { throw new Error('variant not registered'); }), /variant not registered/);
      assert.equal((await s.listDecoys()).length, 3, 'rolled back, failed and refused batches left nothing');
      assert.equal(s.decoyFiles.sizeTaken()(4005, VARIANT.id), false);
      // The store is usable afterwards.
      assert.equal(s.decoyFiles.insert([built(6)], 1000).length, 1);
    }));

    it('variant catalog: put replaces, get and list by payload', withStore(async (s) => {
      const row = { sourceId: PAYLOAD.id, format: 'zip', variantId: VARIANT.id, checkedBy: 'unzip 6.0', checkedAt: 5 };
      s.variants.putVariant(row);
      s.variants.putVariant({ ...row, checkedAt: 6 });
      assert.deepEqual(s.variants.getVariant(PAYLOAD.id, 'zip'), { ...row, checkedAt: 6 });
      assert.equal(s.variants.getVariant(PAYLOAD.id, 'pdf'), undefined);
      assert.deepEqual(s.variants.listVariants(PAYLOAD.id).map((v) => v.format), ['zip']);
    }));

    it('campaigns: create, due per day, release inside the decoy insert, counts, TTL retirement, active ids', withStore(async (s) => {
      const items = [1, 2, 3].map((n) => ({ seq: n, name: `holiday-video-000${n}.mp4`, files: [{ name: `holiday-video-000${n}.mp4`, size: null, path: null }], lang: null }));
      const t0 = 10 * DAY;
      const c = s.campaigns.create({ name: 'spring', perDay: 1, ttlDays: 2, payloadId: null, createdAt: t0 }, items);
      assert.throws(() => s.campaigns.create({ name: 'spring', perDay: 1, ttlDays: 1, payloadId: null, createdAt: t0 }, []), /already exists/);
      assert.deepEqual(s.campaigns.list(), [c]);
      assert.deepEqual(s.campaigns.get('spring'), c);
      assert.throws(() => s.campaigns.get('autumn'), NotFoundError);
      const due = s.campaigns.due(c, t0 + 1.5 * DAY);
      assert.deepEqual(due.map((x) => x.item.seq), [1, 2], 'one a day, two days started');
      const decoys = s.decoyFiles.insert(due.map((_, i) => built(i + 1)), t0, (ds) => s.campaigns.markReleased(ds.map((decoy, i) => ({ itemId: due[i]!.id, decoy })), t0));
      assert.deepEqual(s.campaigns.due(c, t0 + 1.5 * DAY), []);
      const before = s.campaigns.deliveriesVersion();
      assert.deepEqual([...s.campaigns.deliveriesByCampaign()], [], 'no delivery yet');
      await s.appendObservations([sampleDelivery(decoys[0]!.id, decoys[0]!.infoHash)]);
      assert.deepEqual(s.campaigns.counts(c.id), { planned: 1, active: 2, retired: 0, deliveries: 1 });
      assert.deepEqual(s.campaigns.statusCounts(c.id), { planned: 1, active: 2, retired: 0 });
      assert.deepEqual([...s.campaigns.deliveriesByCampaign()], [[c.id, 1]]);
      assert.notEqual(s.campaigns.deliveriesVersion(), before, 'a new delivery is a new version');
      const [other] = await s.insertDecoys([newDecoy(50)], t0);
      assert.deepEqual([...s.campaigns.activeDecoyIds()].sort((a, b) => a - b), [...decoys.map((d) => d.id), other!.id]);
      assert.equal(s.campaigns.retireExpired(c, t0 + 2 * DAY), 2);
      assert.deepEqual(s.campaigns.counts(c.id), { planned: 1, active: 0, retired: 2, deliveries: 1 });
      assert.deepEqual([...s.campaigns.activeDecoyIds()], [other!.id], 'decoys of other origins stay active');
      assert.equal(await s.countServedDecoys(), 1);
    }));

    it('node runs: kept in order of the log position they start at', withStore(async (s) => {
      const run = { startedAt: 5, firstSeq: 0, toolVersion: '0.1.0', runtime: 'node v24', settings: '{"port":6881}', presented: '{"peerPort":6881}' };
      s.nodeRuns.insert({ ...run, firstSeq: 7, startedAt: 9 });
      s.nodeRuns.insert(run);
      assert.deepEqual(s.nodeRuns.list(), [run, { ...run, firstSeq: 7, startedAt: 9 }]);
    }));

    it('health: inbound connections per address in time buckets, and per active decoy, silent ones first', withStore(async (s) => {
      const [a, b] = await s.insertDecoys([newDecoy(1), newDecoy(2)], 1000);
      const HOUR = 3_600_000;
      await s.appendObservations([
        sampleDelivery(a!.id, a!.infoHash, { startedAt: HOUR + 5, endedAt: HOUR + 6, localIp: '198.18.0.2' }),
        sampleDelivery(a!.id, a!.infoHash, { startedAt: 2 * HOUR + 5, endedAt: 2 * HOUR + 6, localIp: '198.18.0.2' }),
        sampleDelivery(a!.id, a!.infoHash, { startedAt: 2 * HOUR + 9, endedAt: 2 * HOUR + 10, localIp: '198.18.0.3' }),
        presence(b!.id, b!.infoHash, 2 * HOUR),
      ]);
      assert.deepEqual(await s.health.inboundByAddress(0, HOUR), [
        { localIp: '198.18.0.2', total: 2, lastAt: 2 * HOUR + 5, buckets: [{ bucketStart: HOUR, count: 1 }, { bucketStart: 2 * HOUR, count: 1 }] },
        { localIp: '198.18.0.3', total: 1, lastAt: 2 * HOUR + 9, buckets: [{ bucketStart: 2 * HOUR, count: 1 }] },
      ]);
      assert.deepEqual(await s.health.inboundByDecoy(0, 10), [
        { decoyId: b!.id, infoHash: b!.infoHash, inbound: 0, lastInboundAt: null, presence: 1 },
        { decoyId: a!.id, infoHash: a!.infoHash, inbound: 3, lastInboundAt: 2 * HOUR + 9, presence: 0 },
      ]);
      // The overview's two counts (session 10): deliveries from `since`, and of those from `later`; bounds included.
      assert.deepEqual(await s.health.inboundCounts(0, 2 * HOUR), { since: 3, later: 2 });
      assert.deepEqual(await s.health.inboundCounts(HOUR + 5, 2 * HOUR + 9), { since: 3, later: 1 });
      assert.deepEqual(await s.health.inboundCounts(HOUR + 6, 3 * HOUR), { since: 2, later: 0 });
      assert.deepEqual(await s.health.inboundCounts(3 * HOUR, 3 * HOUR), { since: 0, later: 0 });
    }));

    it('evidence log: every appended observation is chained in its own transaction, and reads back re-derived and checked', withStore(async (s, dir) => {
      const [d] = await s.insertDecoys([newDecoy(1)], 1000);
      const ev = openEvidence(s, dir, { now: () => 7000 });
      try {
        await s.appendObservations([sampleDelivery(d!.id, d!.infoHash), sampleAnnounce(d!.infoHash, d!.id), presence(d!.id, d!.infoHash, 3000)]);
        await s.appendObservations([sampleDelivery(d!.id, d!.infoHash, { startedAt: 4000, endedAt: 4001 })]);
        const t = ev.table;
        assert.equal(t.node(), ev.key.fingerprint);
        assert.equal(t.count(), 4);
        const rows = [...t.range(0, 4)];
        assert.deepEqual(rows.map((r) => r.kind), ['delivery', 'tracker-announce', 'swarm-presence', 'delivery']);
        for (const r of rows) assert.ok(leafHashOfText(r.text).equals(r.hash), `record ${r.seq} hashes to its link`);
        assert.ok(t.head()!.hash.equals(rows[3]!.hash));
        assert.deepEqual(t.select({ kinds: ['delivery'], from: 4000, to: 5000 }, 10).map((r) => r.seq), [3]);
        // A hook that fails rolls its batch back: rows and chain together.
        const backend = s.evidenceLog();
        const unhook = backend.addAppendHook(() => { throw new Error('chain refused'); });
        await assert.rejects(s.appendObservations([sampleDelivery(d!.id, d!.infoHash)]), /chain refused/);
        unhook();
        assert.equal(t.count(), 4);
        assert.equal((await s.queryDeliveries()).length, 2);
        // Checkpoints: the log signs one; the store keeps and returns it.
        const cp = ev.log.checkpoint('manual');
        assert.equal(t.latestCheckpoint()!.treeSize, 4);
        assert.equal(t.listCheckpoints(10).length, 1);
        assert.ok(cp);
        // Named cases: a saved filter never changes silently.
        assert.equal(t.saveCase('case-1', '{"ip":"198.18.0.11"}', 1), true);
        assert.equal(t.saveCase('case-1', '{"ip":"198.18.0.12"}', 2), false);
        assert.equal(t.getCase('case-1'), '{"ip":"198.18.0.11"}');
        assert.equal(t.saveCase('case-1', '{"ip":"198.18.0.12"}', 3, true), true);
        assert.equal(t.getCase('case-1'), '{"ip":"198.18.0.12"}');
      } finally { ev.detach(); }
    }));
  });
}

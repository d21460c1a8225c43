import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SQLOutputValue } from 'node:sqlite';
import { describe, it } from 'node:test';
import { stampBitTorrent } from '../../../src/bittorrent/network-stamp.ts';
import { btmhContentId, isContentId } from '../../../src/domain/content-id.ts';
import type { Observation } from '../../../src/domain/observation.ts';
import { openEvidence } from '../../../src/evidence/open.ts';
import { encodeRecord, recordText } from '../../../src/evidence/record.ts';
import { writeExportPackage } from '../../../src/exports/package-writer.ts';
import { toolInfo } from '../../../src/exports/tool-info.ts';
import { RECORD_CODECS } from '../../../src/store/sqlite/record-tables/registry.ts';
import { RecordRowWriter } from '../../../src/store/sqlite/record-tables/row-writer.ts';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.ts';
import { verifyPackage } from '../../../verifier/verify.mjs';
import { sampleAnnounce, sampleDelivery } from '../../helpers/sample-observations.ts';
import { testDecoy } from '../../helpers/test-decoy.ts';

/**
 * Record schema versions at ingest, re-derivation and export (issue 16, item 3): an observation the
 * adapter stamped with its network is a v2 record with `network` and `contentId`; one without stays a
 * v1 record, byte for byte what the code before the change wrote.
 */
const NODE = 'ab'.repeat(32);
const PREV = '00'.repeat(32);
const HASH = '55305f2a547a08fbc4aa820a725fbb1309c714e5';

async function storeWithDecoy() {
  const dir = mkdtempSync(join(tmpdir(), 'cs-recv-'));
  const store = new SqliteStore(join(dir, 'counterseed.db'));
  const d = testDecoy({ name: 'holiday-video-0042.mp4', size: 20_000 }).decoy;
  store.insertPayload({ id: d.payloadId, size: d.size, label: 'p', mediaType: 'video/mp4', addedAt: 1 });
  const [decoy] = await store.insertDecoys([d], 1);
  return { dir, store, decoy: decoy! };
}

function rowOf(store: SqliteStore, kind: string, rowId: number): SQLOutputValue[] {
  const st = store.database.prepare(RECORD_CODECS.get(kind)!.selectByIdSql);
  st.setReturnArrays(true);
  return st.get(rowId) as unknown as SQLOutputValue[];
}

describe('record schema versions', () => {
  it('an unstamped observation is the v1 record it always was; a stamped one is v2 with network and contentId', () => {
    const d = sampleDelivery(2, HASH, { sessionId: 's-1' });
    const v1 = encodeRecord(d, 3, PREV, NODE).text;
    // The v1 layout, written out by hand: no network, no contentId, "v":1.
    assert.match(v1, /"v":1}$/);
    assert.doesNotMatch(v1, /network|contentId/);
    const { kind: _k, ...fields } = d;
    assert.equal(v1, `{"at":${d.startedAt},"kind":"delivery","node":"${NODE}","obs":${JSON.stringify(Object.fromEntries(Object.entries(fields).sort(([a], [b]) => (a < b ? -1 : 1))))},"prev":"${PREV}","seq":3,"v":1}`);
    const v2 = JSON.parse(encodeRecord(stampBitTorrent(d), 3, PREV, NODE).text);
    assert.equal(v2.v, 2);
    assert.equal(v2.obs.network, 'bittorrent');
    assert.equal(v2.obs.contentId, `btih:${HASH}`);
    assert.throws(() => recordText('delivery', 1, { ...fields, contentId: `btih:${HASH}` }, 0, PREV, NODE), /without a network/);
  });

  it('stamping: content observations get network and btih content id; a refusal before the handshake gets null; aggregates keep their address network', () => {
    const r = stampBitTorrent({ kind: 'rejected-connection', at: 1, remoteIp: '198.18.0.9', remotePort: 1, infoHash: null, reason: 'x' });
    assert.deepEqual([r.kind === 'rejected-connection' && r.network, r.kind === 'rejected-connection' && r.contentId], ['bittorrent', null]);
    const agg: Observation = { kind: 'aggregate', at: 1000, observed: 'swarm-presence', cause: 'rate-cap', reason: 'dht-get-peers', network: '198.51.100.0', prefixLength: 24, count: 3 };
    assert.equal(stampBitTorrent(agg), agg);
    assert.equal(JSON.parse(encodeRecord(agg, 0, PREV, NODE).text).v, 1, 'an aggregate stays v1: its network is an address prefix');
    assert.ok(isContentId(btmhContentId('cd'.repeat(32))));
    assert.ok(!isContentId(`btih:${HASH.toUpperCase()}`));
  });

  it('rows: v1 and v2 rows read back as written and re-derive the ingest text; bad stamps are refused before storing', async () => {
    const { store, decoy } = await storeWithDecoy();
    const writer = new RecordRowWriter(store.database);
    const plain: Observation[] = [
      sampleDelivery(decoy.id, decoy.infoHash), sampleAnnounce(decoy.infoHash, decoy.id),
      { kind: 'rejected-connection', at: 5, remoteIp: '198.18.0.9', remotePort: 1, infoHash: null, reason: 'unknown-infohash' },
      { kind: 'swarm-presence', at: 6, strength: 'weak', source: 'dht-announce-peer', infoHash: decoy.infoHash, decoyId: decoy.id, remoteIp: '198.18.0.3', remotePort: 65535, localIp: '198.18.0.2' },
    ];
    const renewed = (o: Observation): Observation => (o.kind === 'delivery' ? { ...o, sessionId: randomUUID() } : o);
    for (const o of [...plain, ...plain.map((x) => stampBitTorrent(renewed(x)))]) {
      const w = writer.write(o);
      const row = rowOf(store, o.kind, w.rowId);
      assert.deepEqual(w.codec.read(row), { ...o }, `${o.kind}: round trip`);
      const text = w.codec.recordText(row, 9, PREV, NODE);
      assert.equal(text, w.codec.recordText(w.values, 9, PREV, NODE));
      assert.equal(text, encodeRecord(o, 9, PREV, NODE).text, `${o.kind}: the store's text is the domain encoder's`);
    }
    const d: Observation = sampleDelivery(decoy.id, decoy.infoHash);
    for (const bad of [{ network: 'BitTorrent' }, { network: 'bittorrent', contentId: 'btih:xyz' }, { contentId: `btih:${decoy.infoHash}` }]) {
      assert.throws(() => writer.write({ ...d, sessionId: randomUUID(), ...bad } as Observation), /network|content id/, JSON.stringify(bad));
    }
    // A v1 row given a content id afterwards is refused when read, not silently dropped from its record.
    const w = writer.write({ ...d, sessionId: randomUUID() } as Observation);
    store.database.prepare('UPDATE deliveries SET content_id = ? WHERE id = ?').run(`btih:${decoy.infoHash}`, w.rowId);
    assert.throws(() => w.codec.read(rowOf(store, 'delivery', w.rowId)), /set on a v1 row/);
    await store.close();
  });

  it('a log holding v1 and v2 records audits, exports and verifies', async () => {
    const { dir, store, decoy } = await storeWithDecoy();
    const ev = openEvidence(store, dir, { now: () => 1_764_000_100_000 });
    const before = [sampleDelivery(decoy.id, decoy.infoHash, { remotePort: 40_001 }), sampleAnnounce(decoy.infoHash, decoy.id)];
    await store.appendObservations(before); // written as by the version before the change
    await store.appendObservations([...before.map((o) => stampBitTorrent(o.kind === 'delivery' ? { ...o, sessionId: randomUUID() } : o)), stampBitTorrent(sampleDelivery(decoy.id, decoy.infoHash, { remotePort: 40_002 }))]);
    ev.log.checkpoint('manual'); // audits: every record re-derived from its row
    const out = join(dir, 'pkg');
    const r = await writeExportPackage({
      table: ev.table, log: ev.log, key: ev.key, getDecoy: (id) => store.getDecoy(id), tool: toolInfo({ mode: 'lab', port: 6881 }), now: () => 1_764_000_200_000, published: ev.published,
    }, { filter: { decoyId: decoy.id }, selection: { decoy: decoy.id }, out });
    assert.equal(r.records, 5);
    const versions = readFileSync(join(out, 'records.ndjson'), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l).v);
    assert.deepEqual(versions, [1, 1, 2, 2, 2]);
    assert.deepEqual(verifyPackage(out).findings, []);
    ev.detach();
    await store.close();
  });
});

import assert from 'node:assert/strict';
import type { SQLOutputValue } from 'node:sqlite';
import { describe, it } from 'node:test';
import type { Observation } from '../../../src/domain/observation.ts';
import { canonicalJson } from '../../../src/evidence/canonical-json.ts';
import type { ClockStatement } from '../../../src/evidence/record.ts';
import { RECORD_CODECS } from '../../../src/store/sqlite/record-tables/registry.ts';
import { RecordRowWriter } from '../../../src/store/sqlite/record-tables/row-writer.ts';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.ts';
import { sampleAnnounce, sampleDelivery } from '../../helpers/sample-observations.ts';
import { testDecoy } from '../../helpers/test-decoy.ts';

/** Strings that JSON must escape, or that only look simple: a row must read back as the very record on all. */
const AWKWARD = ['', 'plain', 'quote " and \\ backslash', 'line\nbreak\ttab\u0001ctl', 'é ü ø 日本', 'emoji 🎥', 'sep \u2028 \u2029', '=HYPERLINK("x")', '\u007f del'];

async function fixture() {
  const store = new SqliteStore(':memory:');
  const d = testDecoy({ name: 'holiday-video-0042.mp4', size: 20_000 }).decoy;
  store.insertPayload({ id: d.payloadId, size: d.size, label: 'p', mediaType: 'video/mp4', addedAt: 1 });
  const [decoy] = await store.insertDecoys([d], 1);
  return { store, decoy: decoy! };
}

function samples(decoyId: number, infoHash: string): (Observation | ClockStatement)[] {
  const out: (Observation | ClockStatement)[] = [];
  for (const [i, s] of AWKWARD.entries()) {
    out.push(sampleDelivery(decoyId, infoHash, { client: s, clientVersion: i % 2 ? null : s, disconnectReason: s, listenPort: i % 3 ? null : 51413, servedRanges: i % 2 ? [] : [[0, 16384], [32768, 2 ** 40]], peerPiecesAtStart: i % 2 ? null : 0, completed: i % 2 === 0, metadataOnly: i % 2 === 1 }));
    out.push({ kind: 'rejected-connection', at: 1_764_000_000_000 + i, remoteIp: '198.18.0.9', remotePort: i, infoHash: i % 2 ? null : infoHash, reason: s });
    out.push({ kind: 'clock', at: 1_764_000_000_000 + i, source: s, syncState: 'unknown', ntpOffsetMs: i % 2 ? null : -3 * (i + 1), ntpServer: i % 2 ? null : s, note: s });
  }
  out.push({ ...sampleAnnounce(infoHash, null), left: 2 ** 64 - 1, downloaded: 2 ** 53 - 1, claimedIp: '198.18.0.77' });
  out.push({ ...sampleAnnounce(infoHash, decoyId), event: 'none' });
  out.push({ kind: 'swarm-presence', at: 5, strength: 'weak', source: 'dht-peer-list', infoHash, decoyId: null, remoteIp: '::1', remotePort: 1, localIp: '198.18.0.2' });
  out.push({ kind: 'aggregate', at: 1_764_000_001_000, observed: 'rejected-connection', cause: 'rate-cap', reason: 'unknown-infohash', network: '198.51.100.0', prefixLength: 24, count: 1999 });
  out.push({ kind: 'aggregate', at: 0, observed: 'tracker-announce', cause: 'unknown-infohash', reason: 'udp', network: '2001:db8:1::', prefixLength: 48, count: 1 });
  for (const [i, phase] of (['open', 'progress', 'interrupted'] as const).entries()) {
    out.push({ kind: 'session-progress', phase, at: 1_764_000_000_100 + i, progressAt: 1_764_000_000_050 + i, sessionId: `0190-${AWKWARD[i + 1]}`, decoyId, infoHash,
      remoteIp: '198.18.0.11', remotePort: 51000 + i, localIp: '198.18.0.1', localPort: 6881, encryption: 'mse-rc4', startedAt: 1_764_000_000_000,
      peerId: '2d4c54323038302d' + '00'.repeat(12), client: i ? AWKWARD[i + 3]! : null, clientVersion: i % 2 ? null : AWKWARD[i + 4]!, listenPort: i % 2 ? 51413 : null,
      bytesServed: 16384 * i, blocksServed: i, newRanges: i ? [[0, 16384 * i]] : [], metadataPiecesServed: 1, peerPieces: i ? i : null });
  }
  out.push({ kind: 'unclean-shutdown', at: 7, runStartedAt: 1, runPid: 4242, lastSeq: null, lastHash: null, openSessions: 0 });
  out.push({ kind: 'unclean-shutdown', at: 8, runStartedAt: 2, runPid: 1, lastSeq: 2 ** 40, lastHash: 'ab'.repeat(32), openSessions: 17 });
  out.push({ kind: 'swarm-presence', at: 6, strength: 'weak', source: 'dht-announce-peer', infoHash, decoyId, remoteIp: '198.18.0.3', remotePort: 65535, localIp: '198.18.0.2' });
  return out;
}

describe('record tables: the row is the record', () => {
  it('covers every recordable kind', () => {
    assert.deepEqual([...RECORD_CODECS.keys()].sort(), ['aggregate', 'clock', 'delivery', 'rejected-connection', 'session-progress', 'swarm-presence', 'tracker-announce', 'unclean-shutdown']);
  });

  it('for every kind: stored values read back as bound, the fast JSON equals canonicalJson, and the row reads back as the observation', async () => {
    const { store, decoy } = await fixture();
    const writer = new RecordRowWriter(store.database);
    for (const o of samples(decoy.id, decoy.infoHash)) {
      const w = writer.write(o);
      const c = w.codec;
      const st = store.database.prepare(c.selectByIdSql);
      st.setReturnArrays(true);
      const row = st.get(w.rowId) as unknown as SQLOutputValue[];
      const { kind, ...fields } = c.read(row);
      assert.equal(kind, o.kind);
      assert.equal(c.json(row), c.json(w.values), `${o.kind}: re-derived text equals the ingest text`);
      assert.equal(c.json(row), canonicalJson(fields), `${o.kind}: the record text is canonicalJson of the fields read`);
      const expected = o.kind === 'tracker-announce' ? { ...o, left: o.left > 2 ** 53 ? -1 : o.left } : o;
      assert.deepEqual(c.read(row), { ...expected }, `${o.kind}: round trip`);
    }
    await store.close();
  });

  it('refuses values the record cannot hold exactly, before anything is stored', async () => {
    const { store, decoy } = await fixture();
    const writer = new RecordRowWriter(store.database);
    const c = RECORD_CODECS.get('delivery')!;
    const bads: object[] = [{ remotePort: 1.5 }, { peerId: 'ZZ' }, { peerId: 'ABCD' }, { bytesServed: Number.NaN }, { completed: 1 },
      { client: 42 }, { servedRanges: [[0, 1.5]] }, { servedRanges: [[0]] }, { listenPort: -0 }, { sessionId: undefined }];
    for (const bad of bads) {
      assert.throws(() => writer.write({ ...sampleDelivery(decoy.id, decoy.infoHash), ...bad }), /not a|hex|range/, JSON.stringify(bad));
    }
    assert.equal((await store.queryDeliveries()).length, 0, 'nothing was stored');
    // A stored value the record cannot hold (a row changed behind the store's back) is refused when encoded.
    const good = c.toRow(sampleDelivery(decoy.id, decoy.infoHash));
    const i = c.spec.fields.findIndex((f) => f.name === 'servedRanges');
    for (const spelling of ['0-5,', '01-5', '0-5,,6-7']) assert.throws(() => c.json(good.map((v, k) => (k === i ? spelling : v))), /bad stored ranges/, spelling);
    assert.throws(() => writer.write({ kind: 'no-such-kind' }), /no table records kind/);
    await store.close();
  });
});

/**
 * Writes an evidence package from this version of counterseed, for test/fixtures/packages/ (issue 16,
 * item 3: packages exported by earlier versions must keep verifying). Usage:
 *   node scripts/make-fixture-package.ts OUT_DIR [decoy|time]
 * `decoy` (default) selects the decoy; `time` a window inside one hour that leaves records out on
 * both sides, so the package's completeness proof holds time-key leaves with inside and outside records.
 * Deterministic apart from the node key and session ids: fixed clock, placeholder names, 198.18.0.0/15
 * (RFC 2544 benchmarking) addresses. Records: a clock statement (v1: names no network) and BitTorrent
 * observations stamped as the adapter stamps them (record schema v2: network and content id).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stampBitTorrent } from '../src/bittorrent/network-stamp.ts';
import type { Observation } from '../src/domain/observation.ts';
import { openEvidence } from '../src/evidence/open.ts';
import { writeExportPackage } from '../src/exports/package-writer.ts';
import { toolInfo } from '../src/exports/tool-info.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import { sampleAnnounce, sampleDelivery } from '../test/helpers/sample-observations.ts';
import { testDecoy } from '../test/helpers/test-decoy.ts';

const out = process.argv[2];
const by = process.argv[3] ?? 'decoy';
if (!out || (by !== 'decoy' && by !== 'time')) { console.error('usage: node scripts/make-fixture-package.ts OUT_DIR [decoy|time]'); process.exit(2); }
const T0 = 1_765_000_000_000;
const dir = mkdtempSync(join(tmpdir(), 'cs-fixture-'));
const store = new SqliteStore(join(dir, 'counterseed.db'));
const d = testDecoy({ name: 'holiday-video-0042.mp4', size: 50_000 }).decoy;
store.insertPayload({ id: d.payloadId, size: d.size, label: 'fixture', mediaType: 'video/mp4', addedAt: T0 });
const [decoy] = await store.insertDecoys([d], T0);
const ev = openEvidence(store, dir, { now: () => T0 + 100_000 });
ev.log.append([{ kind: 'clock', at: T0, source: 'tsc; fixture', syncState: 'synchronized', ntpOffsetMs: null, ntpServer: null, note: 'start' }]);
const obs: Observation[] = ([
  { ...sampleAnnounce(decoy!.infoHash, decoy!.id), at: T0 + 500 },
  sampleDelivery(decoy!.id, decoy!.infoHash, { remoteIp: '198.18.0.12', remotePort: 40_001, startedAt: T0 + 1000, endedAt: T0 + 1500 }),
  { kind: 'swarm-presence' as const, at: T0 + 2000, strength: 'weak', source: 'dht-get-peers', infoHash: decoy!.infoHash, decoyId: decoy!.id, remoteIp: '198.18.0.14', remotePort: 6881, localIp: '198.18.0.2' },
  sampleDelivery(decoy!.id, decoy!.infoHash, { remoteIp: '198.18.0.12', remotePort: 40_002, startedAt: T0 + 3000, endedAt: T0 + 3500, completed: false, bytesServed: 16_384, blocksServed: 1, servedRanges: [[0, 16_384]], peerPiecesAtEnd: 1 }),
] as Observation[]).map(stampBitTorrent);
await store.appendObservations(obs);
const r = await writeExportPackage({
  table: ev.table, log: ev.log, key: ev.key, getDecoy: (id) => store.getDecoy(id), tool: toolInfo({ mode: 'lab', port: 6881 }), now: () => T0 + 200_000, published: ev.published,
}, by === 'decoy' ? { filter: { decoyId: decoy!.id }, selection: { decoy: decoy!.id }, out: resolve(out) }
  : { filter: { from: T0 + 500, to: T0 + 2500 }, selection: { from: new Date(T0 + 500).toISOString(), to: new Date(T0 + 2500).toISOString() }, out: resolve(out) });
ev.detach();
await store.close();
console.log(`${resolve(out)}: ${r.records} records (${r.deliveries} deliveries), tree of ${r.treeSize}`);

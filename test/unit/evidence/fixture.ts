import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEvidence, type OpenedEvidence } from '../../../src/evidence/open.ts';
import { writeExportPackage, type ExportSummary } from '../../../src/exports/package-writer.ts';
import { toolInfo } from '../../../src/exports/tool-info.ts';
import type { LogFilter } from '../../../src/store/sqlite/evidence-log.ts';
import type { Observation } from '../../../src/domain/observation.ts';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.ts';
import { sampleAnnounce, sampleDelivery } from '../../helpers/sample-observations.ts';
import { testDecoy } from '../../helpers/test-decoy.ts';

/** A data directory with a store, a chained log, two decoys and some observations from two IPs. */
export async function evidenceFixture(opts: { deliveries?: number } = {}): Promise<{
  dir: string; store: SqliteStore; ev: OpenedEvidence; infoHashes: string[];
  exportTo(out: string, filter: LogFilter, selection?: Record<string, string | number>): Promise<ExportSummary>;
}> {
  const dir = mkdtempSync(join(tmpdir(), 'cs-ev-'));
  const store = new SqliteStore(join(dir, 'counterseed.db'));
  const a = testDecoy({ name: 'holiday-video-0042.mp4', size: 50_000 }).decoy;
  const b = testDecoy({ name: 'garden party-0007.avi', size: 70_000 }).decoy;
  store.insertPayload({ id: a.payloadId, size: a.size, label: 'a', mediaType: 'video/mp4', addedAt: 1 });
  store.insertPayload({ id: b.payloadId, size: b.size, label: 'b', mediaType: 'video/mp4', addedAt: 1 });
  const [da, db] = await store.insertDecoys([a, b], 1_764_000_000_000);
  const ev = openEvidence(store, dir, { now: () => 1_764_000_100_000 });
  ev.log.append([{ kind: 'clock', at: 1_764_000_000_000, source: 'tsc; test', syncState: 'synchronized', ntpOffsetMs: null, ntpServer: null, note: 'start' }]);
  const n = opts.deliveries ?? 6;
  const batch: Observation[] = [];
  for (let i = 0; i < n; i++) {
    const d = i % 2 === 0 ? da! : db!;
    batch.push(sampleDelivery(d.id, d.infoHash, { remoteIp: i % 3 === 0 ? '198.18.0.11' : '198.18.0.12', remotePort: 40_000 + i, startedAt: 1_764_000_000_000 + i * 1000, endedAt: 1_764_000_000_500 + i * 1000 }));
    if (i === 1) batch.push(sampleAnnounce(d.infoHash, d.id));
  }
  batch.push(sampleDelivery(da!.id, da!.infoHash, { remoteIp: '198.18.0.11', client: '=HYPERLINK("x")', clientVersion: 'a,"b"\nc' }));
  batch.push({ kind: 'rejected-connection', at: 1_764_000_009_000, remoteIp: '198.18.0.13', remotePort: 40_100, infoHash: null, reason: 'unknown-infohash' });
  batch.push({ kind: 'swarm-presence', at: 1_764_000_009_500, strength: 'weak', source: 'dht-get-peers', infoHash: da!.infoHash, decoyId: da!.id, remoteIp: '198.18.0.14', remotePort: 6881, localIp: '198.18.0.2' });
  await store.appendObservations(batch);
  const tool = toolInfo({ mode: 'lab', port: 6881 });
  return {
    dir, store, ev, infoHashes: [da!.infoHash, db!.infoHash],
    exportTo: (out, filter, selection = { ip: filter.ip ?? '' }) => writeExportPackage(
      { table: ev.table, log: ev.log, key: ev.key, getDecoy: (id) => store.getDecoy(id), tool, now: () => 1_764_000_200_000, published: ev.published },
      { filter, selection, out },
    ),
  };
}

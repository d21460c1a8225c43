import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SessionProgressObservation } from '../../../src/domain/observation.ts';
import { recordUncleanShutdowns } from '../../../src/evidence/unclean-shutdown.ts';
import { codecOf } from '../../../src/store/sqlite/record-tables/registry.ts';
import { evidenceFixture } from './fixture.ts';
import { sampleDelivery } from '../../helpers/sample-observations.ts';

const quiet = { pid: 4242, log: () => {} };

function progress(decoyId: number, infoHash: string, sessionId: string, phase: 'open' | 'progress', bytes: number, at: number, newRanges: [number, number][] = []): SessionProgressObservation {
  return {
    kind: 'session-progress', phase, at, progressAt: at, sessionId, decoyId, infoHash, remoteIp: '198.18.0.21', remotePort: 50_000 + bytes % 1000,
    localIp: '198.18.0.2', localPort: 6881, encryption: 'none', startedAt: 1_764_000_000_000, peerId: '2d4c54323038302d' + '00'.repeat(12),
    client: 'libtorrent (Rasterbar) 2.0.8', clientVersion: null, listenPort: null, bytesServed: bytes, blocksServed: bytes / 16384,
    newRanges, metadataPiecesServed: 0, peerPieces: null,
  };
}

/** Issue 17, item 5: after an unclean stop, the next start says so, with the sessions left open. */
describe('unclean shutdown', () => {
  it('a run never marked stopped is recorded at the next start: last seq and hash, each open session interrupted with its last progress; once only', async () => {
    const f = await evidenceFixture();
    const [ih] = f.infoHashes;
    const decoyId = (await f.store.queryDeliveries())[0]!.decoyId;
    const head = () => f.ev.table.head();
    const first = await recordUncleanShutdowns(f.store, head, { now: () => 1_764_000_010_000, ...quiet });
    assert.deepEqual(first.recovered, [], 'the fixture never ran a node: nothing to recover');
    // A run: three sessions open; A progresses, B ends with its delivery record, C only opened.
    await f.store.appendObservations([
      progress(decoyId, ih!, 'A', 'open', 0, 1_764_000_011_000), progress(decoyId, ih!, 'B', 'open', 0, 1_764_000_011_001), progress(decoyId, ih!, 'C', 'open', 0, 1_764_000_011_002),
      progress(decoyId, ih!, 'A', 'progress', 163_840, 1_764_000_016_000, [[0, 81_920], [131_072, 212_992]]), progress(decoyId, ih!, 'A', 'progress', 327_680, 1_764_000_021_000, [[81_920, 131_072], [262_144, 327_680]]),
      sampleDelivery(decoyId, ih!, { sessionId: 'B' }),
    ]);
    const last = head()!;
    const openRows = () => f.store.database.prepare('SELECT session_id FROM open_sessions ORDER BY session_id').all().map((r) => r.session_id);
    assert.deepEqual(openRows(), ['A', 'C'], 'kept in step with the records, in their transaction');
    // kill -9: no markStopped(). The next start:
    const second = await recordUncleanShutdowns(f.store, head, { now: () => 1_764_000_090_000, ...quiet });
    assert.equal(second.recovered.length, 1);
    const u = second.recovered[0]!;
    assert.deepEqual(u, { kind: 'unclean-shutdown', at: 1_764_000_090_000, lastSeq: last.seq, lastHash: last.hash.toString('hex'), openSessions: 2, runPid: 4242, runStartedAt: 1_764_000_010_000 });
    const rows = codecOf('session-progress').query(f.store.database, "phase = 'interrupted'", [], 'id', -1) as unknown as SessionProgressObservation[];
    assert.deepEqual(rows.map((r) => [r.sessionId, r.bytesServed, r.progressAt, r.at]), [['C', 0, 1_764_000_011_002, 1_764_000_090_000], ['A', 327_680, 1_764_000_021_000, 1_764_000_090_000]]);
    assert.deepEqual(rows[1]!.newRanges, [[0, 212_992], [262_144, 327_680]], 'the union of the ranges of all its records');
    assert.deepEqual(rows[0]!.newRanges, []);
    assert.deepEqual(openRows(), [], 'interrupted sessions are closed');
    // Chained right after the dead run's last record, the unclean-shutdown statement first.
    const chained = [...f.ev.table.range(last.seq + 1, f.ev.table.count())].map((r) => r.kind);
    assert.deepEqual(chained, ['unclean-shutdown', 'session-progress', 'session-progress']);
    // This run stops cleanly: the next start finds nothing, and the interrupted sessions are not reported again.
    second.markStopped();
    const third = await recordUncleanShutdowns(f.store, head, { now: () => 1_764_000_095_000, ...quiet });
    assert.deepEqual(third.recovered, []);
    third.markStopped();
    await f.store.close();
  });

  it('a run that crashed with no open session is still recorded (openSessions 0), and two crashed runs give a statement each', async () => {
    const f = await evidenceFixture();
    const head = () => f.ev.table.head();
    await recordUncleanShutdowns(f.store, head, { now: () => 1, ...quiet });
    await f.store.appendObservations([progress(1, f.infoHashes[0]!, 'X', 'open', 0, 5)]);
    const r2 = await recordUncleanShutdowns(f.store, head, { now: () => 10, ...quiet });
    assert.deepEqual(r2.recovered.map((u) => [u.runStartedAt, u.openSessions]), [[1, 1]]);
    const r3 = await recordUncleanShutdowns(f.store, head, { now: () => 20, ...quiet });
    assert.deepEqual(r3.recovered.map((u) => [u.runStartedAt, u.openSessions]), [[10, 0]], 'X was already marked interrupted');
    await f.store.close();
  });
});

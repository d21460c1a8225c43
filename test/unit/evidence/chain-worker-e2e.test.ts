import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import type { Observation } from '../../../src/domain/observation.ts';
import { openEvidence } from '../../../src/evidence/open.ts';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.ts';
import { sampleAnnounce, sampleDelivery } from '../../helpers/sample-observations.ts';
import { testDecoy } from '../../helpers/test-decoy.ts';

const AWKWARD = ['say "hi"\\', 'tab\there\u0001', 'Трансмиссия 3', 'émoji 🎞️', 'line\u2028sep', '=HYPERLINK("x")'];

/**
 * The chain worker hashes the values bound at ingest; exports re-derive each record from the row as
 * SQLite returns it. The two must give the same bytes for every kind and every awkward string.
 */
it('records hashed by the chain worker re-derive from their rows, and a failed big batch leaves the next one whole', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cs-chain-e2e-'));
  const store = new SqliteStore(join(dir, 'counterseed.db'));
  const d = testDecoy({ name: 'holiday-video-0042.mp4', size: 20_000 }).decoy;
  store.insertPayload({ id: d.payloadId, size: d.size, label: 'p', mediaType: 'video/mp4', addedAt: 1 });
  const [decoy] = await store.insertDecoys([d], 1_764_000_000_000);
  const failures: string[] = [];
  const ev = openEvidence(store, dir, { log: (m) => failures.push(m) });
  try {
    assert.equal(await ev.hasher.warmUp(), true, 'the worker starts');
    const batch: Observation[] = [];
    for (let i = 0; i < 1500; i++) {
      const client = AWKWARD[i % AWKWARD.length]!;
      if (i % 5 === 0) batch.push({ ...sampleAnnounce(decoy!.infoHash, decoy!.id), at: 1_764_000_000_000 + i });
      else if (i % 7 === 0) batch.push({ kind: 'rejected-connection', at: 1_764_000_000_000 + i, remoteIp: '198.18.0.13', remotePort: 1024 + i, infoHash: null, reason: 'unknown-infohash' });
      else if (i % 11 === 0) batch.push({ kind: 'swarm-presence', at: 1_764_000_000_000 + i, strength: 'weak', source: 'dht-get-peers', infoHash: decoy!.infoHash, decoyId: decoy!.id, remoteIp: '198.18.0.14', remotePort: 6881, localIp: '198.18.0.2' });
      else batch.push(sampleDelivery(decoy!.id, decoy!.infoHash, { client, clientVersion: i % 2 ? null : client, remotePort: 1024 + i, startedAt: 1_764_000_000_000 + i, peerPiecesAtStart: i % 3 ? null : 0 }));
    }
    await store.appendObservations(batch);
    assert.equal(ev.hasher.workerRunning, true);
    assert.equal(ev.hasher.workerFailure, undefined, 'the batch was hashed by the worker, not by the inline fallback');

    // A big batch whose inserts fail (a duplicate session id) rolls back whole; the next one chains on.
    const dup = batch.slice(0, 1200);
    await assert.rejects(store.appendObservations(dup), /UNIQUE/);
    const more = Array.from({ length: 1100 }, (_, i) => sampleDelivery(decoy!.id, decoy!.infoHash, { remotePort: 30_000 + i, client: AWKWARD[i % AWKWARD.length]! }));
    await store.appendObservations(more);
    assert.equal(ev.hasher.workerFailure, undefined);
    assert.deepEqual(failures, []);

    const all = [...ev.table.range(0, ev.table.count())]; // throws on any record whose row does not re-derive to its hash
    assert.equal(all.length, 2600);
    const clients = all.filter((r) => r.kind === 'delivery').map((r) => (JSON.parse(r.text) as { obs: { client: string } }).obs.client);
    for (const s of AWKWARD) assert.ok(clients.includes(s), `a delivery with client ${JSON.stringify(s)} round-trips`);
    assert.equal(ev.log.checkpoint('manual').treeSize, 2600);
  } finally {
    ev.detach();
    await store.close();
  }
});

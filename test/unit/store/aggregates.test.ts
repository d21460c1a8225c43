import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { AggregateObservation, Observation } from '../../../src/domain/observation.ts';
import { openEvidence } from '../../../src/evidence/open.ts';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.ts';

const agg = (network: string, count: number, at = 1_764_000_001_000): AggregateObservation => ({
  kind: 'aggregate', at, observed: 'rejected-connection', cause: 'rate-cap', reason: 'unknown-infohash', network, prefixLength: network.includes(':') ? 48 : 24, count,
});

test('aggregate records are chained like any other, re-derive from their rows, and are filed under their network address', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cs-agg-'));
  const store = new SqliteStore(join(dir, 'counterseed.db'));
  try {
    const ev = openEvidence(store, dir);
    const batch: Observation[] = [
      { kind: 'rejected-connection', at: 1_764_000_000_500, remoteIp: '198.51.100.7', remotePort: 5000, infoHash: null, reason: 'unknown-infohash' },
      agg('198.51.100.0', 1999), agg('2001:db8:1::', 3), agg('203.0.113.0', 1, 1_764_000_002_000),
    ];
    await store.appendObservations(batch);
    const all = [...ev.table.range(0, ev.table.count())];
    assert.deepEqual(all.map((r) => r.kind), ['rejected-connection', 'aggregate', 'aggregate', 'aggregate']);
    // The key index files them under "net:<network>" (not "ip:", which a host at that address has too).
    ev.log.checkpoint('manual');
    const seqsOf = (key: string) => ev.table.index.records(ev.table.index.get(key)!.id).map(([seq]) => seq);
    const found = ev.table.derive(ev.table.linksAt(seqsOf('net:198.51.100.0')));
    assert.deepEqual(found.map((r) => r.seq), [1]);
    const { kind, ...fields } = agg('198.51.100.0', 1999);
    assert.equal(kind, 'aggregate');
    assert.deepEqual(JSON.parse(found[0]!.text).obs, fields);
    assert.deepEqual(seqsOf('net:2001:db8:1::'), [2]);
    assert.equal(ev.table.index.get('ip:198.51.100.0'), undefined);
    // The table refuses what an aggregate cannot be (a count of 0, an unaligned second), before anything is stored.
    await assert.rejects(store.appendObservations([agg('198.51.100.0', 0)]), /CHECK|constraint/i);
    await assert.rejects(store.appendObservations([{ ...agg('198.51.100.0', 1), at: 1_764_000_001_001 }]), /CHECK|constraint/i);
  } finally {
    await store.close();
  }
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ObservationBus } from '../../../src/observation/bus.ts';
import { ObservationRecorder } from '../../../src/observation/recorder.ts';
import type { Observation } from '../../../src/domain/observation.ts';
import type { EvidenceStore } from '../../../src/store/evidence-store.ts';
import { sampleDelivery } from '../../helpers/sample-observations.ts';

/** A store that records batches and can be told to fail, to test the recorder's seam. */
function fakeStore(failTimes = 0) {
  const written: Observation[] = [];
  const counters: Record<string, number> = {};
  let fails = failTimes;
  const store: Partial<EvidenceStore> = {
    async appendObservations(batch) { if (fails-- > 0) throw new Error('disk full'); written.push(...batch); },
    async addToCounter(name, delta) { counters[name] = (counters[name] ?? 0) + delta; },
  };
  return { store: store as EvidenceStore, written, counters };
}

describe('observation bus and recorder', () => {
  it('counts what does not fit, and never silently loses it', async () => {
    const bus = new ObservationBus({ capacity: 3 });
    const f = fakeStore();
    const rec = new ObservationRecorder({ bus, store: f.store }, { flushIntervalMs: 10_000 });
    for (let i = 0; i < 5; i++) bus.publish(sampleDelivery(1, 'a'.repeat(40), { remotePort: i }));
    assert.equal(bus.droppedTotal, 2);
    await rec.stop();
    assert.deepEqual(f.written.map((o) => (o.kind === 'delivery' ? o.remotePort : -1)), [0, 1, 2]);
    assert.deepEqual(f.counters, { 'observations.dropped.delivery': 2 });
  });

  it('while the store is down, keeps everything queued in order and writes it once the store is back', async () => {
    const bus = new ObservationBus({ capacity: 100 });
    const written: Observation[] = [];
    let down = true;
    const store = {
      async appendObservations(b: readonly Observation[]) { if (down) throw new Error('disk full'); written.push(...b); },
      async quarantineObservation() { throw new Error('disk full'); },
      async addToCounter() {},
    } as unknown as EvidenceStore;
    const rec = new ObservationRecorder({ bus, store }, { flushIntervalMs: 10_000, maxBatch: 2 });
    for (let i = 0; i < 5; i++) bus.publish(sampleDelivery(1, 'a'.repeat(40), { remotePort: i }));
    await assert.rejects(rec.flush(), /disk full/);
    assert.equal(bus.size, 5);
    down = false;
    await rec.stop();
    assert.deepEqual(written.map((o) => (o.kind === 'delivery' ? o.remotePort : -1)), [0, 1, 2, 3, 4]);
    assert.equal(rec.written, 5);
  });

  it('quarantines a record the store refuses, counts it, and writes the rest of its batch', async () => {
    const bus = new ObservationBus({ capacity: 100 });
    const written: number[] = [];
    const quarantined: [Observation, string][] = [];
    const counters: Record<string, number> = {};
    const store = {
      async appendObservations(b: readonly Observation[]) {
        if (b.some((o) => o.kind === 'delivery' && o.remotePort === 2)) throw new Error('cannot store REAL value in INTEGER column');
        for (const o of b) if (o.kind === 'delivery') written.push(o.remotePort);
      },
      async quarantineObservation(o: Observation, err: string) { quarantined.push([o, err]); },
      async addToCounter(n: string, d: number) { counters[n] = (counters[n] ?? 0) + d; },
    } as unknown as EvidenceStore;
    const rec = new ObservationRecorder({ bus, store }, { flushIntervalMs: 10_000, maxBatch: 10 });
    for (let i = 0; i < 5; i++) bus.publish(sampleDelivery(1, 'a'.repeat(40), { remotePort: i }));
    await rec.stop();
    assert.deepEqual(written, [0, 1, 3, 4]);
    assert.equal(quarantined.length, 1);
    assert.equal((quarantined[0]![0] as { remotePort: number }).remotePort, 2);
    assert.match(quarantined[0]![1], /REAL value/);
    assert.deepEqual(counters, { 'observations.quarantined.delivery': 1 });
    assert.equal(bus.size, 0);
  });

  it('writes in batches no larger than maxBatch', async () => {
    const bus = new ObservationBus({ capacity: 100 });
    const sizes: number[] = [];
    const store = { async appendObservations(b: readonly Observation[]) { sizes.push(b.length); }, async addToCounter() {} } as unknown as EvidenceStore;
    const rec = new ObservationRecorder({ bus, store }, { flushIntervalMs: 10_000, maxBatch: 4 });
    for (let i = 0; i < 10; i++) bus.publish(sampleDelivery(1, 'a'.repeat(40)));
    await rec.stop();
    assert.deepEqual(sizes, [4, 4, 2]);
  });
});

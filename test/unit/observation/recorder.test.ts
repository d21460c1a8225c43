import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ObservationBus } from '../../../src/observation/bus.ts';
import { writeBatch } from '../../../src/observation/batch-writer.ts';
import type { EvidenceWriter } from '../../../src/observation/evidence-writer.ts';
import { ObservationRecorder } from '../../../src/observation/recorder.ts';
import { stopLines } from '../../../src/cli/commands/seed.ts';
import type { Observation } from '../../../src/domain/observation.ts';
import type { EvidenceStore } from '../../../src/store/evidence-store.ts';
import { sampleAnnounce, sampleDelivery } from '../../helpers/sample-observations.ts';

/** What node:sqlite throws for a row a STRICT table refuses (SQLITE_CONSTRAINT_DATATYPE): a record fault. */
const refused = () => Object.assign(new Error('cannot store REAL value in INTEGER column deliveries.remote_port'), { code: 'ERR_SQLITE_ERROR', errcode: 3091, errstr: 'constraint failed' });
/** What node:sqlite throws on a full disk (SQLITE_FULL): a store fault. */
const full = () => Object.assign(new Error('database or disk is full'), { code: 'ERR_SQLITE_ERROR', errcode: 13, errstr: 'database or disk is full' });

/** A store that keeps what it is given and fails as told: `fail(batch)` returns the error to throw, if any. */
function fakeStore(fail: (b: readonly Observation[]) => Error | undefined = () => undefined, failQuarantine: () => Error | undefined = () => undefined) {
  const written: Observation[] = [];
  const quarantined: [Observation, string][] = [];
  const counters: Record<string, number> = {};
  const store = {
    async appendObservations(b: readonly Observation[], c: Readonly<Record<string, number>> = {}) {
      const e = fail(b);
      if (e) throw e;
      written.push(...b);
      for (const [n, d] of Object.entries(c)) counters[n] = (counters[n] ?? 0) + d;
    },
    async quarantineObservation(o: Observation, err: string) {
      const e = failQuarantine();
      if (e) throw e;
      quarantined.push([o, err]);
      counters[`observations.quarantined.${o.kind}`] = (counters[`observations.quarantined.${o.kind}`] ?? 0) + 1;
    },
  } as unknown as EvidenceStore;
  return { store, written, quarantined, counters };
}

const inline = (store: EvidenceStore): EvidenceWriter => ({ fingerprint: undefined, write: (b, c) => writeBatch(store, b, c), stop: async () => {} });
const ports = (os: readonly Observation[]) => os.map((o) => (o.kind === 'delivery' ? o.remotePort : -1));
const delivery = (i: number) => sampleDelivery(1, 'a'.repeat(40), { remotePort: i });

describe('observation bus and recorder', () => {
  it('counts what does not fit, and stores the count with the next batch', async () => {
    const bus = new ObservationBus({ capacity: 3 });
    const f = fakeStore();
    const rec = new ObservationRecorder({ bus, writer: inline(f.store) }, { flushIntervalMs: 10_000 });
    for (let i = 0; i < 5; i++) bus.publish(delivery(i));
    assert.equal(bus.droppedTotal, 2);
    const report = await rec.stop();
    assert.deepEqual(ports(f.written), [0, 1, 2]);
    assert.deepEqual(f.counters, { 'observations.dropped.delivery': 2 });
    assert.deepEqual(report.dropped, { delivery: 2 });
    assert.deepEqual(report.countersUnwritten, {});
    assert.equal(stopLines(report)[0], 'stopped; 3 observations written, 2 dropped (delivery 2; queue full)');
  });

  it('while the store is down, keeps everything queued in order, quarantines nothing, and writes it once the store is back', async () => {
    const bus = new ObservationBus({ capacity: 100 });
    let down = true;
    const f = fakeStore(() => (down ? full() : undefined));
    const rec = new ObservationRecorder({ bus, writer: inline(f.store) }, { flushIntervalMs: 10_000, maxBatch: 2 });
    for (let i = 0; i < 5; i++) bus.publish(delivery(i));
    await rec.flush();
    assert.equal(bus.size, 5);
    assert.match(rec.fault!, /database or disk is full/);
    down = false;
    const report = await rec.stop();
    assert.deepEqual(ports(f.written), [0, 1, 2, 3, 4]);
    assert.equal(f.quarantined.length, 0);
    assert.equal(report.written, 5);
    assert.equal(report.fault, undefined);
  });

  it('quarantines a record the store refuses, once (counted by the store), and writes the rest of its batch', async () => {
    const bus = new ObservationBus({ capacity: 100 });
    const f = fakeStore((b) => (b.some((o) => o.kind === 'delivery' && o.remotePort === 2) ? refused() : undefined));
    const rec = new ObservationRecorder({ bus, writer: inline(f.store) }, { flushIntervalMs: 10_000, maxBatch: 10 });
    for (let i = 0; i < 5; i++) bus.publish(delivery(i));
    const report = await rec.stop();
    assert.deepEqual(ports(f.written), [0, 1, 3, 4]);
    assert.deepEqual(f.quarantined.map(([o]) => ports([o])[0]), [2]);
    assert.match(f.quarantined[0]![1], /REAL value/);
    assert.deepEqual(f.counters, { 'observations.quarantined.delivery': 1 });
    assert.equal(report.quarantined, 1);
    assert.equal(bus.size, 0);
  });

  it('a full disk found while retrying one by one quarantines nothing: the valid records are held, then written once, never duplicated', async () => {
    // The batch fails on its bad record; then the disk fills. Before, the valid announce after the bad
    // record failed with "disk full" and was quarantined (twice over two flushes), then written too.
    const bus = new ObservationBus({ capacity: 100 });
    let diskFull = false;
    const f = fakeStore((b) => {
      if (b.some((o) => o.kind === 'delivery' && o.remotePort === 1)) { diskFull = true; return refused(); }
      return diskFull ? full() : undefined;
    }, () => undefined);
    const rec = new ObservationRecorder({ bus, writer: inline(f.store) }, { flushIntervalMs: 10_000, maxBatch: 10 });
    const announce = sampleAnnounce('a'.repeat(40), 1);
    bus.publish(delivery(0));
    bus.publish(delivery(1));
    bus.publish(announce);
    await rec.flush();
    await rec.flush({ retryNow: true });
    assert.deepEqual(f.quarantined.map(([o]) => o.kind), [], 'no store fault is taken for a bad record');
    assert.equal(bus.size, 3, 'everything held, in order');
    diskFull = false;
    f.written.length = 0;
    // Space is back: the bad delivery goes to quarantine once, the others are written once.
    const store2 = fakeStore((b) => (b.some((o) => o.kind === 'delivery' && o.remotePort === 1) ? refused() : undefined));
    const rec2 = new ObservationRecorder({ bus, writer: inline(store2.store) }, { flushIntervalMs: 10_000, maxBatch: 10 });
    await rec2.stop();
    assert.deepEqual(store2.written.map((o) => o.kind), ['delivery', 'tracker-announce']);
    assert.deepEqual(store2.quarantined.map(([o]) => ports([o])[0]), [1]);
  });

  it('reports the real error once, then at a growing interval, not at every retry', async () => {
    const bus = new ObservationBus({ capacity: 100 });
    const logs: string[] = [];
    let t = 0;
    const f = fakeStore(() => full());
    const rec = new ObservationRecorder({ bus, writer: inline(f.store), log: (m) => logs.push(m), now: () => t }, { flushIntervalMs: 250, maxBatch: 10 });
    bus.publish(delivery(0));
    // 60 s of the 250 ms timer.
    let attempts = 0;
    for (; t <= 60_000; t += 250) { const before = f.written.length; await rec.flush(); attempts += before === f.written.length ? 1 : 0; }
    const failing = logs.filter((m) => /evidence store (still )?failing/.test(m));
    assert.match(failing[0]!, /^evidence store failing: database or disk is full/);
    assert.ok(failing.every((m) => !/cannot rollback/.test(m)));
    // Logged at 0, then about 1, 2, 4, 8, 16, 32 s later: 7 lines, not 240.
    assert.ok(failing.length >= 5 && failing.length <= 8, `${failing.length} log lines in 60 s: ${failing.join(' | ')}`);
  });

  it('keeps the backlog within the bus capacity while the store fails, counting each drop by kind, and stores the counts once back', async () => {
    const bus = new ObservationBus({ capacity: 10 });
    let down = true;
    const f = fakeStore(() => (down ? full() : undefined));
    const rec = new ObservationRecorder({ bus, writer: inline(f.store) }, { flushIntervalMs: 10_000, maxBatch: 4 });
    for (let i = 0; i < 30; i++) {
      bus.publish(i % 3 === 0 ? sampleAnnounce('a'.repeat(40), 1) : delivery(i));
      await rec.flush({ retryNow: true });
      assert.ok(bus.size <= 10, `backlog ${bus.size}`);
    }
    assert.equal(bus.droppedTotal, 20);
    down = false;
    const report = await rec.stop();
    assert.equal(f.written.length, 10);
    const d = f.counters;
    assert.equal((d['observations.dropped.delivery'] ?? 0) + (d['observations.dropped.tracker-announce'] ?? 0), 20);
    assert.deepEqual(report.countersUnwritten, {});
    assert.deepEqual(report.unwritten, {});
  });

  it('stop() while the store still fails reports, with numbers, what could not be written, and the counts it could not store', async () => {
    const bus = new ObservationBus({ capacity: 4 });
    const f = fakeStore(() => full());
    const rec = new ObservationRecorder({ bus, writer: inline(f.store) }, { flushIntervalMs: 1, maxRetryMs: 1, maxBatch: 10 });
    for (let i = 0; i < 6; i++) bus.publish(i < 5 ? delivery(i) : sampleAnnounce('a'.repeat(40), 1));
    const report = await rec.stop();
    assert.equal(report.written, 0);
    assert.deepEqual(report.unwritten, { delivery: 4 });
    assert.deepEqual(report.countersUnwritten, { 'observations.dropped.delivery': 1, 'observations.dropped.tracker-announce': 1 });
    assert.match(report.fault!, /database or disk is full/);
    const lines = stopLines(report);
    assert.equal(lines[0], 'stopped; 0 observations written, 2 dropped (delivery 1, tracker-announce 1; queue full)');
    assert.match(lines[1]!, /^NOT WRITTEN: 4 observations \(delivery 4\).*database or disk is full/);
    assert.match(lines[2]!, /^NOT WRITTEN: counters observations.dropped.delivery 1, observations.dropped.tracker-announce 1/);
  });

  it('writes in batches no larger than maxBatch', async () => {
    const bus = new ObservationBus({ capacity: 100 });
    const sizes: number[] = [];
    const f = fakeStore((b) => { sizes.push(b.length); return undefined; });
    const rec = new ObservationRecorder({ bus, writer: inline(f.store) }, { flushIntervalMs: 10_000, maxBatch: 4 });
    for (let i = 0; i < 10; i++) bus.publish(delivery(i));
    await rec.stop();
    assert.deepEqual(sizes, [4, 4, 2]);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CentreDb } from '../../../src/centre/centre-db.ts';
import { Shipper } from '../../../src/centre/shipper.ts';
import { centreWithNodes } from '../../helpers/centre-node.ts';
import { pgUnavailable } from '../../helpers/postgres.ts';

const unavailable = await pgUnavailable();

describe('centre: a shipper with two requests in flight (issue 12 catch-up)', { skip: unavailable }, () => {
  const centre = centreWithNodes('cs_pipeline', 1);

  it('overlaps its requests and still stores every record once, with every checkpoint verified', async () => {
    const { db, server } = centre;
    const n = centre.nodes[0]!;
    const fp = n.ev.key.fingerprint;
    await n.record(1500);
    n.ev.log.checkpoint('manual');
    await n.record(1000);
    n.ev.log.checkpoint('manual');
    // Count the batches being stored at once.
    const ingest = db.ingestRead.bind(db);
    let now = 0, peak = 0;
    db.ingestRead = async (...a: Parameters<CentreDb['ingestRead']>) => { now++; peak = Math.max(peak, now); try { return await ingest(...a); } finally { now--; } };
    const stop = new AbortController();
    const errors: Error[] = [];
    const s = new Shipper({ url: server.url, key: n.ev.key, log: n.ev.table, batchSize: 100, inFlight: 2, idleMs: 20, onError: (e) => errors.push(e) });
    const running = s.run(stop.signal);
    for (let i = 0; i < 600 && (s.acked ?? 0) < 2500; i++) await new Promise((r) => setTimeout(r, 50));
    stop.abort();
    await running;
    assert.deepEqual(errors, []);
    assert.equal(s.acked, 2500);
    assert.ok(peak >= 2, `two batches at the centre at once at some point (peak ${peak})`);
    assert.equal(await db.count(fp), 2500);
    assert.equal(await db.distinctSeqs(fp), 2500);
    const st = (await db.status()).find((x) => x.fingerprint === fp)!;
    assert.deepEqual([st.acked, st.gaps.length, st.checkpointsVerified, st.checkpointsPending], [2500, 0, 2, 0]);
    assert.deepEqual(await db.refusals(), []);
  });
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cohorts, computeCohorts } from '../../../../src/app/cohorts.ts';
import { PERSONAL_KINDS } from '../../../../src/app/retention.ts';
import { openErasure } from '../../../../src/node/erasure.ts';
import type { SyntheticDelivery } from '../../../../src/store/synthetic.ts';
import { fixtureContext, R, T0 } from '../../sources/fixture.ts';

const DAY = 86_400_000;
const delivery = (sessionId: string, ip: string, start: number, completed: boolean): SyntheticDelivery => ({
  sessionId, decoyId: 1, infoHash: '1'.repeat(40), remoteIp: ip, remotePort: 40100, localIp: '198.18.0.10', localPort: 6881, encryption: 'none',
  startedAt: start, endedAt: start + 60_000, peerId: new Uint8Array(20).fill(5), client: 'qBittorrent', clientVersion: 'qBittorrent 4.6.7',
  listenPort: 9000, bytesServed: completed ? 100 : 40, piecesAtEnd: 0, completed, metadataOnly: false, disconnectReason: 'peer-closed',
});

test('cohorts are cached per data version: the cached report equals a fresh computation, and new records or an erasure invalidate it', async () => {
  const f = await fixtureContext();
  try {
    const input = { horizons: [1, 7] };
    const first = cohorts(f.ctx, input);
    assert.ok(first.totals.length > 0);
    const again = cohorts(f.ctx, input);
    assert.equal(again, first, 'same data version: the cached report');
    assert.deepEqual(again, computeCohorts(f.ctx, input, first.purpose), 'and it equals computing it again');
    assert.notEqual(cohorts(f.ctx, { horizons: [1, 30] }), first, 'another input is another entry');

    // New records: a new address exposed on 2 March and back on 12 March.
    f.ctx.store.intel.syntheticWriter().deliveries([delivery('n1', '198.51.100.9', T0 + DAY, true), delivery('n2', '198.51.100.9', T0 + 11 * DAY, false)]);
    const added = cohorts(f.ctx, input);
    assert.notEqual(added, first, 'new records: computed again');
    assert.deepEqual(added, computeCohorts(f.ctx, input, first.purpose));
    const exposed7 = (r: typeof first) => r.totals.find((t) => t.horizonDays === 7)!.exposed;
    assert.deepEqual([exposed7(added).eligible - exposed7(first).eligible, exposed7(added).returned - exposed7(first).returned], [1, 1], 'the new address counts');

    // A later record of R (the highest delivery id stays after the erasure below), then the version it gives.
    f.ctx.store.intel.syntheticWriter().deliveries([delivery('n3', R, T0 + 12 * DAY, false)]);
    const withR = cohorts(f.ctx, input);
    assert.deepEqual(withR, computeCohorts(f.ctx, input, first.purpose));
    // Erasure of every record of an address removes its activity row: computed again, without it.
    openErasure(f.ctx.store).erase({ kinds: PERSONAL_KINDS, before: 8.64e15, ip: '198.51.100.9', exceptIps: [] }, { erasure: 'test', at: T0 + 20 * DAY });
    const erased = cohorts(f.ctx, input);
    assert.notEqual(erased, withR);
    assert.deepEqual(erased, computeCohorts(f.ctx, input, first.purpose));
    assert.deepEqual([exposed7(erased).eligible, exposed7(erased).returned], [exposed7(withR).eligible - 1, exposed7(withR).returned - 1], 'without that address');
    // R is untouched by all this and still in the report.
    assert.ok(f.ctx.store.intel.dossierDeliveries(R, 10).length > 0);
  } finally { await f.done(); }
});

import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { queryDeliveries, streamDeliveries } from '../../../src/app/deliveries.ts';
import type { DeliveryObservation } from '../../../src/domain/observation.ts';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.ts';
import { sampleDelivery } from '../../helpers/sample-observations.ts';
import { testDecoy } from '../../helpers/test-decoy.ts';

const collect = async (it: AsyncIterable<DeliveryObservation>) => { const out: string[] = []; for await (const d of it) out.push(d.sessionId); return out; };

describe('streamDeliveries: the query, a page at a time', () => {
  let store: SqliteStore;
  before(async () => {
    store = new SqliteStore(join(mkdtempSync(join(tmpdir(), 'cs-app-deliv-')), 'counterseed.db'));
    const d = testDecoy({ name: 'holiday-video-0042.mp4', size: 50_000 }).decoy;
    store.insertPayload({ id: d.payloadId, size: d.size, label: 'a', mediaType: 'video/mp4', addedAt: 1 });
    const [decoy] = await store.insertDecoys([d], 1);
    // 40 sessions; start times repeat (7 share one instant, more than a page) so pages must split ties.
    const starts = [...Array(7).fill(1000), 1001, 1002, ...Array(5).fill(1003), ...Array.from({ length: 26 }, (_, i) => 2000 + (i % 4))];
    await store.appendObservations(starts.map((t, i) => sampleDelivery(decoy!.id, decoy!.infoHash, { startedAt: t, endedAt: t + 10, remoteIp: i % 3 ? '198.18.0.11' : '198.18.0.12' })));
  });
  after(() => store.close());

  it('gives every session once, in the query\'s order, for page sizes down to 1', async () => {
    const all = (await queryDeliveries({ store })).map((d) => d.sessionId);
    assert.equal(all.length, 40);
    for (const pageSize of [1, 2, 3, 5, 1000]) assert.deepEqual(await collect(streamDeliveries({ store }, {}, { pageSize })), all, `page ${pageSize}`);
  });

  it('keeps the filter and the limit', async () => {
    for (const f of [{ ip: '198.18.0.12' }, { since: 1003 }, { limit: 9 }, { ip: '198.18.0.11', since: 1001, limit: 12 }]) {
      const expected = (await queryDeliveries({ store }, f)).map((d) => d.sessionId);
      assert.deepEqual(await collect(streamDeliveries({ store }, f, { pageSize: 2 })), expected, JSON.stringify(f));
    }
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { cachedPublicMap, REDRAW_MIN_MS } from '../../../src/app/public-map-cache.ts';
import { publicMap } from '../../../src/app/public-map.ts';
import { PERSONAL_KINDS } from '../../../src/app/retention.ts';
import { openErasure } from '../../../src/node/erasure.ts';
import { pgUnavailable } from '../../helpers/postgres.ts';
import { sampleDelivery } from '../../helpers/sample-observations.ts';
import { call, webFixture, type StoreKind, type WebFixture } from './fixture.ts';

/**
 * The public map (`/map`, `/map.svg`, `/api/public-map`, no login) is drawn once per data version
 * (app/public-map-cache.ts): a repeat request gets the kept drawing, which equals drawing it again;
 * new deliveries redraw it once the drawing is REDRAW_MIN_MS old; an erasure redraws it at once. The
 * fixture's addresses (198.18.0.0/15, a benchmark range) cannot be placed, so the map counts them
 * in `notPlaced`: 3 at the start.
 */
const pgSkip = await pgUnavailable();
for (const kind of ['sqlite', 'postgres'] as StoreKind[]) describe(`public map cache: ${kind}`, { skip: kind === 'postgres' && pgSkip }, () => {
  let f: WebFixture;
  let t = 1_800_000_000_000;
  before(async () => { f = await webFixture({ store: kind, now: () => t }); });
  after(async () => { await f?.close(); });

  const k = () => f.ctx.settings.mapMinIps;
  const anonymous = async () => {
    const [geo, page, svg] = await Promise.all(['/api/public-map', '/map', '/map.svg'].map((p) => call(f.app, 'GET', p)));
    for (const r of [geo, page, svg]) assert.equal(r!.status, 200);
    const notPlaced = ((await geo!.json()) as { counterseed: { notPlaced: number } }).counterseed.notPlaced;
    const onPage = Number(/(\d+) addresses could not be placed/.exec(await page!.text())![1]);
    assert.equal(onPage, notPlaced, 'the page and the GeoJSON are the same drawing');
    const drawing = await svg!.text();
    assert.ok(drawing.includes('<svg') && drawing.trimEnd().endsWith('</svg>') && drawing.includes('<path'), 'an SVG with the county shapes');
    return notPlaced;
  };

  it('a repeat request gets the kept drawing, equal to drawing it again', async () => {
    assert.equal(await anonymous(), 3);
    const a = cachedPublicMap(f.ctx, k(), t);
    assert.equal(cachedPublicMap(f.ctx, k(), t + 1000), a, 'the same object: not drawn again');
    assert.deepEqual(a.geojson, publicMap(f.ctx, { k: k() }).geojson);
    assert.equal(a.svg, publicMap(f.ctx, { k: k() }).svg);
  });

  it('anonymous requests within the floor refresh the analysis tables at most once (no work per request)', async () => {
    const intel = f.ctx.store.intel;
    const real = intel.refreshRollups.bind(intel);
    let refreshes = 0;
    intel.refreshRollups = () => { refreshes++; return real(); };
    try {
      t += REDRAW_MIN_MS; // the kept drawing is past the floor: the first request checks the data again
      for (let i = 0; i < 10; i++) { assert.equal(await anonymous(), 3); t += 1000; } // 30 requests in 10 s
      assert.equal(refreshes, 1, `${refreshes} refreshes for 30 anonymous requests within the floor`);
    } finally { intel.refreshRollups = real; }
  });

  it('new deliveries redraw it once the drawing is REDRAW_MIN_MS old; an erasure at once', async () => {
    const kept = cachedPublicMap(f.ctx, k(), t);
    const [decoy] = f.decoyIds;
    const d = (await f.ctx.store.getDecoy(decoy!))!;
    await f.ctx.store.appendObservations([sampleDelivery(d.id, d.infoHash, { remoteIp: '198.18.0.14', startedAt: 1_764_000_200_000 })]);
    t += 1000;
    assert.equal(await anonymous(), 3, 'within the floor: the kept drawing');
    t += REDRAW_MIN_MS;
    assert.equal(await anonymous(), 4, 'the new address counts');
    const redrawn = cachedPublicMap(f.ctx, k(), t);
    assert.notEqual(redrawn, kept);
    assert.deepEqual(redrawn.geojson, publicMap(f.ctx, { k: k() }).geojson);

    // Erasure of every record of two addresses: the next request, a second later, no longer counts them.
    for (const ip of ['198.18.0.14', '198.18.0.13']) openErasure(f.ctx.store).erase({ kinds: PERSONAL_KINDS, before: 8.64e15, ip, exceptIps: [] }, { erasure: `test-${ip}`, at: t });
    t += 1000;
    assert.equal(await anonymous(), 2, 'the erased addresses are gone from the map at once');
    assert.deepEqual(cachedPublicMap(f.ctx, k(), t).geojson, publicMap(f.ctx, { k: k() }).geojson);
  });
});

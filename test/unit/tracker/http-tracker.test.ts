import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { httpAnnounce } from '../../../src/bittorrent/tracker/client/http-client.ts';
import { TrackerFailureError } from '../../../src/bittorrent/tracker/client/errors.ts';
import { buildAnnounceUrl, decodeAnnounceResponse, decodeScrapeResponse } from '../../../src/bittorrent/tracker/codec/http.ts';
import type { AnnounceRequest } from '../../../src/bittorrent/tracker/codec/types.ts';
import { HOSTILE_ID, id20, startLabTracker, waitAggregated } from './fixtures.ts';

const lab = await startLabTracker({ intervalSeconds: 90 });
after(() => lab.server.stop());
const HEX = Buffer.from(HOSTILE_ID).toString('hex');
lab.known.set(HEX, 42);

const req = (port: number, over: Partial<AnnounceRequest> = {}): AnnounceRequest => ({
  infoHash: HOSTILE_ID, peerId: id20(port), port, uploaded: 0, downloaded: 0, left: 0, event: 'started', compact: true, ...over,
});

function raw(path: string, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; body: Uint8Array }> {
  const u = new URL(lab.httpUrl);
  return new Promise((resolve, reject) => {
    const r = request({ host: u.hostname, port: u.port, path, method: opts.method ?? 'GET', headers: opts.headers ?? {}, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: new Uint8Array(Buffer.concat(chunks)) }));
    });
    r.on('error', reject);
    r.end(opts.body);
  });
}

test('two peers announce over HTTP; each gets the other compactly, with faithful observations', async () => {
  const a = await httpAnnounce(lab.httpUrl, req(7001));
  assert.deepEqual(a.peers, []);
  assert.equal(a.interval, 90);
  const b = await httpAnnounce(lab.httpUrl, req(7002, { left: 1000, downloaded: 5, uploaded: 3 }));
  assert.deepEqual(b.peers, [{ ip: '127.0.0.1', port: 7001 }]);
  assert.deepEqual([b.complete, b.incomplete], [1, 1]);
  const again = await httpAnnounce(lab.httpUrl, req(7001, { event: 'none' }));
  assert.deepEqual(again.peers, [{ ip: '127.0.0.1', port: 7002 }]);
  const obs = lab.observations.find((o) => o.announcedPort === 7002)!;
  assert.equal(obs.protocol, 'http');
  assert.equal(obs.infoHash, HEX);
  assert.equal(obs.decoyId, 42);
  assert.equal(obs.remoteIp, '127.0.0.1');
  assert.equal(obs.peerId, Buffer.from(id20(7002)).toString('hex'));
  assert.deepEqual([obs.event, obs.left, obs.downloaded, obs.uploaded, obs.claimedIp], ['started', 1000, 5, 3, null]);
});

test('unknown infohash: failure reason, counted in an aggregate (not a row of its own), no peer entry', async () => {
  const unknown = id20(99);
  const before = lab.observations.length;
  await assert.rejects(httpAnnounce(lab.httpUrl, { ...req(7100), infoHash: unknown }), (e) => e instanceof TrackerFailureError && /unknown torrent/.test(e.message));
  assert.equal(lab.observations.length, before, 'not recorded one by one');
  assert.equal(await waitAggregated(lab, 1, (a) => a.cause === 'unknown-infohash' && a.reason === 'http' && a.observed === 'tracker-announce'), 1);
  // Had it been recorded, making the hash known now would expose the peer.
  lab.known.set(Buffer.from(unknown).toString('hex'), 43);
  const r = await httpAnnounce(lab.httpUrl, { ...req(7101), infoHash: unknown });
  assert.deepEqual(r.peers, []);
});

test('claimed ip and X-Forwarded-For are recorded/ignored; the listed address is the socket source', async () => {
  const url = buildAnnounceUrl(lab.httpUrl, req(7200, { ip: '10.9.9.9', event: 'none' }));
  const res = await raw(new URL(url).pathname + new URL(url).search, { headers: { 'x-forwarded-for': '10.8.8.8' } });
  assert.equal(res.status, 200);
  const obs = lab.observations.at(-1)!;
  assert.deepEqual([obs.claimedIp, obs.remoteIp], ['10.9.9.9', '127.0.0.1']);
  const r = await httpAnnounce(lab.httpUrl, req(7201));
  assert.ok(r.peers.some((p) => p.ip === '127.0.0.1' && p.port === 7200));
  assert.ok(!r.peers.some((p) => p.ip === '10.9.9.9' || p.ip === '10.8.8.8'));
});

test('localAddress binds the announce to the seeder address', async () => {
  await httpAnnounce(lab.httpUrl, req(7300), { localAddress: '127.0.0.2' });
  assert.equal(lab.observations.at(-1)!.remoteIp, '127.0.0.2');
  const r = await httpAnnounce(lab.httpUrl, req(7301));
  assert.ok(r.peers.some((p) => p.ip === '127.0.0.2' && p.port === 7300));
});

test('compact=0 yields a dictionary peer list; scrape reports only our torrents', async () => {
  const url = new URL(buildAnnounceUrl(lab.httpUrl, req(7400, { compact: false })));
  const res = await raw(url.pathname + url.search);
  const d = decodeAnnounceResponse(res.body);
  assert.ok(d.ok && d.response.peers.length > 0 && d.response.peers.every((p) => p.ip.startsWith('127.')));
  assert.ok(!Buffer.from(res.body).includes(Buffer.from('6:peers6')), 'no compact fields');
  const q = [HOSTILE_ID, id20(12345)].map((h) => 'info_hash=' + Buffer.from(h).toString('hex').replace(/../g, '%$&')).join('&');
  const scrape = decodeScrapeResponse((await raw('/scrape?' + q)).body);
  assert.deepEqual([...scrape.keys()], [HEX]);
  assert.ok(scrape.get(HEX)!.complete >= 2);
});

test('hostile HTTP requests are refused without being recorded', async () => {
  const before = lab.observations.length;
  const ok = new URL(buildAnnounceUrl(lab.httpUrl, req(7500)));
  assert.equal((await raw(ok.pathname + ok.search, { method: 'POST', body: 'x' })).status, 405);
  assert.equal((await raw(ok.pathname + ok.search, { method: 'GET', body: 'abc', headers: { 'content-length': '3' } })).status, 400);
  assert.equal((await raw('/announce?pad=' + 'a'.repeat(9000))).status, 414);
  assert.equal((await raw('/elsewhere')).status, 404);
  const bad = await raw('/announce?info_hash=%00%01&peer_id=x');
  assert.equal(bad.status, 200);
  const d = decodeAnnounceResponse(bad.body);
  assert.ok(!d.ok && /info_hash/.test(d.failure));
  assert.equal(lab.observations.length, before);
  assert.ok(lab.server.stats().http!.rejected >= 5);
});

test('a counter beyond 2^53 (Transmission: left = 2^64-1 before metadata) is recorded as -1, not rounded', async () => {
  const path = `/announce?info_hash=${[...HOSTILE_ID].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('')}&peer_id=${'T'.repeat(20)}&port=7009&uploaded=0&downloaded=0&left=18446744073709551615&compact=1`;
  assert.equal((await raw(path)).status, 200);
  const o = lab.observations.find((x) => x.announcedPort === 7009);
  assert.ok(o);
  assert.equal(o.left, -1);
  assert.equal(o.downloaded, 0);
});

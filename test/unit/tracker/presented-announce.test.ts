import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { httpAnnounce } from '../../../src/bittorrent/tracker/client/http-client.ts';
import type { PresentedAnnounce } from '../../../src/bittorrent/tracker/client/presented-announce.ts';
import type { AnnounceRequest } from '../../../src/bittorrent/tracker/codec/types.ts';

const OK = Buffer.from('d8:intervali1800e5:peers0:e');

/** A loopback tracker that keeps each request's line and headers in the order they came. */
async function tracker(reply: (req: IncomingMessage) => { body: Buffer; headers?: Record<string, string> } = () => ({ body: OK })) {
  const seen: { url: string; headers: string[] }[] = [];
  const server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.rawHeaders });
    const r = reply(req);
    res.writeHead(200, { 'content-length': r.body.length, ...r.headers });
    res.end(r.body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return { seen, url: `http://127.0.0.1:${port}/announce`, host: `127.0.0.1:${port}`, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const req = (infoHashHex: string, peerId: string, port: number, key: string, event: AnnounceRequest['event']): AnnounceRequest => ({
  infoHash: new Uint8Array(Buffer.from(infoHashHex, 'hex')), peerId: new Uint8Array(Buffer.from(peerId, 'latin1')), port,
  uploaded: 0, downloaded: 0, left: 0, event, compact: true, key,
});

describe('tracker announces as the presented client writes them (issue 10 item 3)', () => {
  it('libtorrent 2.0.8 (qBittorrent): the request line and headers captured on loopback, byte for byte', async () => {
    const t = await tracker();
    try {
      const p: PresentedAnnounce = { style: 'libtorrent', userAgent: 'qBittorrent/5.0.3' };
      for (const event of ['started', 'stopped'] as const) {
        await httpAnnounce(t.url, req('5f635597d8992a5065d5474e265c92db26b85316', '-qB5030-aad_jALDveCY', 46882, 'e1edeb89', event), { presented: p });
      }
      // Captured from python3-libtorrent 2.0.8 (user_agent qBittorrent/5.0.3) against a logging tracker.
      const ih = 'info_hash=_cU%97%d8%99*Pe%d5GN%26%5c%92%db%26%b8S%16&peer_id=-qB5030-aad_jALDveCY&port=46882&uploaded=0&downloaded=0&left=0&corrupt=0&key=E1EDEB89';
      assert.deepEqual(t.seen.map((s) => s.url), [
        `/announce?${ih}&event=started&numwant=200&compact=1&no_peer_id=1&supportcrypto=1&redundant=0`,
        `/announce?${ih}&event=stopped&numwant=0&compact=1&no_peer_id=1&supportcrypto=1&redundant=0`,
      ]);
      assert.deepEqual(t.seen[0]!.headers, ['Host', t.host, 'User-Agent', 'qBittorrent/5.0.3', 'Accept-Encoding', 'gzip', 'Connection', 'close']);
    } finally {
      await t.close();
    }
  });

  it('Transmission 3.00: the request line captured on loopback, byte for byte; its headers in its order', async () => {
    const t = await tracker();
    try {
      const p: PresentedAnnounce = { style: 'transmission', userAgent: 'Transmission/3.00' };
      await httpAnnounce(t.url, req('722cd5ccd4d8bf5292af6682b5e254da891f1af0', '-TR3000-ib2sx6wip511', 46993, '4ee72ad7', 'started'), { presented: p });
      await httpAnnounce(t.url, req('722cd5ccd4d8bf5292af6682b5e254da891f1af0', '-TR3000-ib2sx6wip511', 46993, '4ee72ad7', 'none'), { presented: p });
      const ih = 'info_hash=r%2c%d5%cc%d4%d8%bfR%92%aff%82%b5%e2T%da%89%1f%1a%f0&peer_id=-TR3000-ib2sx6wip511&port=46993&uploaded=0&downloaded=0&left=0';
      assert.deepEqual(t.seen.map((s) => s.url), [
        `/announce?${ih}&numwant=80&key=4ee72ad7&compact=1&supportcrypto=1&event=started`,
        `/announce?${ih}&numwant=80&key=4ee72ad7&compact=1&supportcrypto=1`,
      ]);
      // transmission-daemon 3.00 sent Host, User-Agent, Accept, Accept-Encoding; node adds Connection.
      assert.deepEqual(t.seen[0]!.headers.slice(0, 8), ['Host', t.host, 'User-Agent', 'Transmission/3.00', 'Accept', '*/*', 'Accept-Encoding', 'deflate, gzip, br, zstd']);
    } finally {
      await t.close();
    }
  });

  it('reads a gzip answer it said it accepts, and refuses one that inflates past the response limit', async () => {
    let body = gzipSync(OK);
    const t = await tracker(() => ({ body, headers: { 'content-encoding': 'gzip' } }));
    try {
      const p: PresentedAnnounce = { style: 'libtorrent', userAgent: 'qBittorrent/5.0.3' };
      const r = await httpAnnounce(t.url, req('00'.repeat(20), '-qB5030-aad_jALDveCY', 1, '1', 'started'), { presented: p });
      assert.equal(r.interval, 1800);
      body = gzipSync(Buffer.alloc(4 << 20)); // 4 MiB of zeros in a few KB
      await assert.rejects(httpAnnounce(t.url, req('00'.repeat(20), '-qB5030-aad_jALDveCY', 1, '1', 'started'), { presented: p, maxResponseBytes: 1 << 20 }), /bad gzip response body/);
    } finally {
      await t.close();
    }
  });
});

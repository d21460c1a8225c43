import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { DhtNode } from '../../../src/bittorrent/dht/dht-node.ts';

/** The raw bytes of one query our node sends to a loopback socket. */
async function firstQuery(version?: Uint8Array): Promise<Buffer> {
  const sink = createSocket('udp4');
  await new Promise<void>((r) => sink.bind(0, '127.0.0.1', () => r()));
  const got = new Promise<Buffer>((r) => sink.once('message', (m) => r(m)));
  const node = new DhtNode({ host: '127.0.0.1', port: 0, queryTimeoutMs: 200, ...(version ? { version } : {}) }, {
    now: Date.now, decoyFor: () => null, peerPort: () => 6881, publish: () => {}, log: () => {},
  });
  await node.start();
  try {
    node.query({ ip: '127.0.0.1', port: sink.address().port }, 'ping').catch(() => {});
    return await got;
  } finally {
    await node.stop();
    sink.close();
  }
}

describe('DHT queries carry the presented client\'s version, or none (issue 10 item 3)', () => {
  it('libtorrent profile: `v` is "LT" and its version bytes, as libtorrent 2.0.8\'s get_peers carried "LT\\x02\\x08"', async () => {
    const q = await firstQuery(new Uint8Array(Buffer.from('LT\x02\x0a', 'latin1')));
    assert.ok(q.includes(Buffer.from('1:v4:LT\x02\x0a', 'latin1')), q.toString('latin1'));
  });
  it('Transmission profile (and no profile): no `v` at all; the old constant "CS01" is gone', async () => {
    const q = await firstQuery();
    assert.equal(q.includes(Buffer.from('1:v', 'latin1')), false, q.toString('latin1'));
    assert.equal(q.includes(Buffer.from('CS01', 'latin1')), false);
  });
});

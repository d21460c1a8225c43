import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { describe, it } from 'node:test';
import { DhtNode } from '../../../src/bittorrent/dht/dht-node.ts';
import { ExternalIpVoter, isRoutableV4 } from '../../../src/bittorrent/dht/external-ip.ts';
import { decodeKrpc, encodeQuery, encodeResponse } from '../../../src/bittorrent/dht/krpc.ts';
import { bep42NodeId, isBep42Valid } from '../../../src/bittorrent/dht/node-id.ts';

// Documentation addresses (RFC 5737): routable in form, never anyone's. Nothing is sent to them:
// they are only what the local fake nodes below claim to have seen.
const SEEN_AS = '203.0.113.7';
const OTHER = '198.51.100.9';

describe('BEP 42 external address voting', () => {
  it('believes an address only once enough distinct repliers agree, two thirds of the remembered votes', () => {
    const v = new ExternalIpVoter({ minVoters: 4, maxVoters: 6 });
    for (let i = 0; i < 10; i++) assert.equal(v.vote('198.18.0.1', SEEN_AS), undefined, 'one replier, however often, is one vote');
    assert.equal(v.vote('198.18.0.2', SEEN_AS), undefined);
    assert.equal(v.vote('198.18.0.3', OTHER), undefined);
    assert.equal(v.vote('198.18.0.4', OTHER), undefined, '2 against 2');
    assert.equal(v.vote('198.18.0.5', SEEN_AS), undefined, '3 of 5 is under two thirds');
    assert.equal(v.vote('198.18.0.6', SEEN_AS), SEEN_AS, '4 of 6');
    assert.equal(v.vote('198.18.0.7', '192.168.1.5'), undefined, 'a local address is no vote');
    assert.equal(v.voters, 6);
    // Only the latest 6 votes are kept: the oldest (198.18.0.1, 198.18.0.2) are forgotten first.
    assert.equal(v.vote('198.18.0.8', OTHER), undefined, '3 against 3');
    assert.equal(v.vote('198.18.0.9', OTHER), OTHER, '4 of the last 6');
    assert.equal(v.voters, 6);
  });

  it('only routable IPv4 addresses count', () => {
    for (const ip of ['10.1.2.3', '127.0.0.1', '172.16.0.1', '192.168.0.1', '169.254.1.1', '100.64.0.1', '0.1.2.3', '224.0.0.1', '255.255.255.255', '::1', '2001:db8::1', 'x']) {
      assert.equal(isRoutableV4(ip), false, ip);
    }
    for (const ip of [SEEN_AS, OTHER, '100.63.255.255', '100.128.0.1', '8.8.8.8']) assert.equal(isRoutableV4(ip), true, ip);
  });
});

/** Fake DHT nodes on 127.0.0.2..(n+1): each answers any query as if it saw its sender at `seenAs`. */
async function fakeNodes(n: number, seenAs: string): Promise<{ addresses: { ip: string; port: number }[]; close(): void }> {
  const sockets: Socket[] = [];
  for (let i = 0; i < n; i++) {
    const ip = `127.0.0.${i + 2}`;
    const s = createSocket('udp4');
    const id = bep42NodeId(ip);
    s.on('message', (msg, from) => {
      const q = decodeKrpc(msg);
      if (q.y === 'q') s.send(encodeResponse(q.t, id, {}, { ip: seenAs, port: 6881 }), from.port, from.address);
    });
    await new Promise<void>((r) => s.bind(0, ip, () => r()));
    sockets.push(s);
  }
  return { addresses: sockets.map((s) => ({ ip: s.address().address, port: s.address().port })), close: () => { for (const s of sockets) s.close(); } };
}

describe('DhtNode learns its external address (BEP 42)', () => {
  it('takes a BEP 42 id for the address its repliers agree on, keeps its table, and gives that address to get_peers askers', async () => {
    const fakes = await fakeNodes(8, SEEN_AS);
    const logs: string[] = [];
    const ours = '5a'.repeat(20);
    const node = new DhtNode({ host: '127.0.0.1', port: 0, queryTimeoutMs: 2000 }, {
      now: Date.now, decoyFor: (hex) => (hex === ours ? 1 : null), peerPort: () => 6881, publish: () => {}, log: (m) => logs.push(m),
    });
    await node.start();
    try {
      const before = Buffer.from(node.id);
      assert.equal(node.externalIp, '127.0.0.1');
      for (const a of fakes.addresses) await node.query(a, 'ping');
      assert.equal(node.externalIp, SEEN_AS);
      assert.ok(isBep42Valid(node.id, SEEN_AS), 'the new id is valid for the learned address');
      assert.ok(!before.equals(Buffer.from(node.id)));
      assert.equal(node.stats.idChanges, 1);
      assert.equal(node.table.size, 8, 'the nodes already known are kept');
      assert.match(logs.join('\n'), /see this node as 203\.0\.113\.7; new BEP 42 node id/);

      // A get_peers for one of our decoys is answered with the learned address, not the bound one.
      const asker = createSocket('udp4');
      await new Promise<void>((r) => asker.bind(0, '127.0.0.30', () => r()));
      const reply = new Promise<Buffer>((r) => asker.once('message', (m) => r(m)));
      asker.send(encodeQuery(Buffer.from('gp'), 'get_peers', bep42NodeId('127.0.0.30'), { infoHash: Buffer.from(ours, 'hex') }), node.address.port, '127.0.0.1');
      const r = decodeKrpc(await reply);
      asker.close();
      assert.equal(r.y, 'r');
      assert.deepEqual(r.y === 'r' ? r.values[0] : undefined, { ip: SEEN_AS, port: 6881 });
    } finally {
      await node.stop();
      fakes.close();
    }
  });

  it('never overrides a configured external address; a disagreeing majority is logged once', async () => {
    const fakes = await fakeNodes(9, SEEN_AS);
    const logs: string[] = [];
    const node = new DhtNode({ host: '127.0.0.1', port: 0, externalIp: OTHER }, {
      now: Date.now, decoyFor: () => null, peerPort: () => null, publish: () => {}, log: (m) => logs.push(m),
    });
    await node.start();
    try {
      const id = Buffer.from(node.id);
      for (const a of fakes.addresses) await node.query(a, 'ping');
      assert.ok(id.equals(Buffer.from(node.id)));
      assert.equal(node.externalIp, OTHER);
      assert.equal(node.stats.idChanges, 0);
      assert.equal(logs.filter((m) => m.includes('not the configured external address')).length, 1);
    } finally {
      await node.stop();
      fakes.close();
    }
  });
});

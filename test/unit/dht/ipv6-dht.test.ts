import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { after, before, test } from 'node:test';
import { bootstrap } from '../../../src/bittorrent/dht/bootstrap.ts';
import { decodeNodes, encodeNodes, type NodeAddress } from '../../../src/bittorrent/dht/compact.ts';
import { DhtNode } from '../../../src/bittorrent/dht/dht-node.ts';
import { DhtService } from '../../../src/bittorrent/dht/dht-service.ts';
import { decodeKrpc, encodeQuery, encodeResponse, type KrpcResponse } from '../../../src/bittorrent/dht/krpc.ts';
import { lookup } from '../../../src/bittorrent/dht/lookup.ts';
import type { Observation } from '../../../src/domain/observation.ts';

/**
 * BEP 32 on loopback: a node with an IPv4 and an IPv6 address runs one DHT node per family (udp4 and
 * udp6 sockets, two routing tables), announces every decoy on both, answers `want` with both tables,
 * and an IPv6 downloader's get_peers finds the node's IPv6 peer address.
 */
const PEER_PORT = 40_011;
const hashes = Array.from({ length: 4 }, () => Buffer.from(randomBytes(20)).toString('hex'));
const plain4: DhtNode[] = [];
const plain6: DhtNode[] = [];
const observations: Observation[] = [];
let service: DhtService;

async function plainNodes(host: string, n: number, into: DhtNode[]): Promise<void> {
  for (let i = 0; i < n; i++) {
    const node = new DhtNode({ host, port: 0, queryTimeoutMs: 500 }, { now: Date.now, decoyFor: () => null, peerPort: () => null, publish: () => {} });
    await node.start();
    into.push(node);
  }
  await Promise.all(into.slice(1).map((x) => bootstrap(x, [into[0]!.address])));
  await Promise.all(into.slice(1).map((x) => bootstrap(x, [into[0]!.address])));
}

before(async () => {
  await plainNodes('127.0.0.1', 10, plain4);
  await plainNodes('::1', 12, plain6);
  service = new DhtService({
    mode: 'lab', addresses: [{ host: '127.0.0.1', peerPort: PEER_PORT }, { host: '::1', peerPort: PEER_PORT }], port: 0,
    bootstrap: [`127.0.0.1:${plain4[0]!.address.port}`, `[0:0:0:0:0:0:0:1]:${plain6[0]!.address.port}`], publicBootstrap: false, readOnly: false,
    cycleMs: 60_000, jitter: 0.1, queriesPerSecond: 1000, perNodePerSecond: 5,
  }, { now: Date.now, decoyFor: (h) => (hashes.includes(h) ? hashes.indexOf(h) + 1 : null), publish: (o) => observations.push(o), log: () => {} });
  await service.start();
  service.reserve(hashes.length);
  hashes.forEach((h, i) => service.add(h, i + 1));
  await service.joined;
  await service.whenAllAnnounced({ signal: AbortSignal.timeout(30_000) });
});

after(async () => {
  await service?.stop();
  for (const n of [...plain4, ...plain6]) await n.stop();
});

test('one DHT node per family: udp4 and udp6 sockets, each table holding only its own family', () => {
  const [v4, v6] = service.nodes;
  assert.equal(v4!.family, 4);
  assert.equal(v6!.family, 6);
  assert.equal(v6!.address.ip, '::1');
  assert.ok(v6!.table.size >= 4, `IPv6 table ${v6!.table.size}`);
  assert.ok(v4!.table.all().every((e) => !e.ip.includes(':')));
  assert.ok(v6!.table.all().every((e) => e.ip.includes(':')));
});

test('an IPv6 downloader\'s get_peers finds the node\'s IPv6 peer address; an IPv4 one its IPv4 address', async () => {
  const target = Buffer.from(hashes[1]!, 'hex');
  const seeker6 = plain6[7]!;
  const r6 = await lookup(seeker6, target, 'get_peers', { seeds: seeker6.table.closest(target, 16) });
  assert.ok(r6.peers.some((p: NodeAddress) => p.ip === '::1' && p.port === PEER_PORT), `peers over IPv6: ${JSON.stringify(r6.peers)}`);
  const seeker4 = plain4[5]!;
  const r4 = await lookup(seeker4, target, 'get_peers', { seeds: seeker4.table.closest(target, 16) });
  assert.ok(r4.peers.some((p) => p.ip === '127.0.0.1' && p.port === PEER_PORT), `peers over IPv4: ${JSON.stringify(r4.peers)}`);
  // Asked directly, our IPv6 node lists itself and records the sighting with RFC 5952 addresses.
  const direct = await seeker6.query(service.nodes[1]!.address, 'get_peers', { infoHash: target });
  assert.ok(direct.values.some((p) => p.ip === '::1' && p.port === PEER_PORT), JSON.stringify(direct.values));
  assert.ok(observations.some((o) => o.kind === 'swarm-presence' && o.remoteIp === '::1' && o.localIp === '::1'), 'IPv6 sightings recorded with RFC 5952 addresses');
});

test('BEP 32 want: n4 and n6 answered from both tables; no want: the queried family only', async () => {
  const v6 = service.nodes[1]!;
  const sock = createSocket({ type: 'udp6', ipv6Only: true });
  await new Promise<void>((r) => sock.bind(0, '::1', () => r()));
  const ask = (args: Parameters<typeof encodeQuery>[3]): Promise<KrpcResponse> => new Promise((resolve, reject) => {
    const t = Uint8Array.from(randomBytes(2));
    const timer = setTimeout(() => reject(new Error('no reply')), 3000);
    sock.once('message', (m) => { clearTimeout(timer); const d = decodeKrpc(m); if (d.y === 'r') resolve(d); else reject(new Error(d.y)); });
    sock.send(encodeQuery(t, 'find_node', Uint8Array.from(randomBytes(20)), args), v6.address.port, '::1');
  });
  try {
    const target = Uint8Array.from(randomBytes(20));
    const both = await ask({ target, want: ['n4', 'n6'] });
    assert.ok(both.nodes.length > 0 && both.nodes.every((n) => !n.ip.includes(':')), 'nodes: IPv4 from the sibling table');
    assert.ok((both.nodes6 ?? []).length > 0 && both.nodes6!.every((n) => n.ip.includes(':')), 'nodes6: IPv6');
    const own = await ask({ target });
    assert.equal(own.nodes.length, 0);
    assert.ok((own.nodes6 ?? []).length > 0);
    assert.deepEqual(own.ip, { ip: '::1', port: (sock.address()).port }, 'BEP 42 ip echoed as 18 bytes');
  } finally {
    sock.close();
  }
});

test('compact IPv6 nodes and values (BEP 32): 38 and 18 bytes, RFC 5952 text', () => {
  const id = new Uint8Array(20).fill(7);
  const b = encodeNodes([{ id, ip: '2001:DB8::0:5', port: 6881 }], 6);
  assert.equal(b.length, 38);
  assert.deepEqual(decodeNodes(b, 8, 6), [{ id, ip: '2001:db8::5', port: 6881 }]);
  assert.throws(() => encodeNodes([{ id, ip: '198.18.0.1', port: 1 }], 6), /IPv6/);
  const reply = decodeKrpc(encodeResponse(new Uint8Array([1]), id, { values: [{ ip: '198.18.0.2', port: 1 }, { ip: '2001:db8::2', port: 2 }], nodes6: [] }));
  assert.ok(reply.y === 'r');
  assert.deepEqual((reply as KrpcResponse).values, [{ ip: '198.18.0.2', port: 1 }, { ip: '2001:db8::2', port: 2 }]);
  assert.throws(() => decodeNodes(new Uint8Array(37), 8, 6), /nodes6/);
});

test('decoys are spread over the addresses of a family (one announce each), and announced once in each family', async () => {
  const svc = new DhtService({
    mode: 'lab', addresses: [{ host: '127.0.0.1', peerPort: 1 }, { host: '127.0.0.2', peerPort: 1 }, { host: '::1', peerPort: 1 }], port: 0,
    bootstrap: [], publicBootstrap: false, readOnly: false, cycleMs: 60_000, jitter: 0.1, queriesPerSecond: 10, perNodePerSecond: 1,
  }, { now: Date.now, decoyFor: () => 1, publish: () => {}, log: () => {} });
  await svc.start();
  try {
    svc.reserve(1000);
    for (let i = 0; i < 1000; i++) svc.add(Buffer.from(randomBytes(20)).toString('hex'), i + 1);
    const [a, b, v6] = svc.schedulers.map((s) => s.scheduled);
    assert.equal(a! + b!, 1000, 'each decoy on exactly one IPv4 address');
    assert.ok(a! > 400 && b! > 400, `an even split: ${a} / ${b}`);
    assert.equal(v6, 1000, 'and every decoy on the (only) IPv6 address');
  } finally {
    await svc.stop();
  }
});

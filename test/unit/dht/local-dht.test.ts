import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { DhtAnnounceScheduler } from '../../../src/bittorrent/dht/announce-scheduler.ts';
import { bootstrap } from '../../../src/bittorrent/dht/bootstrap.ts';
import type { NodeAddress } from '../../../src/bittorrent/dht/compact.ts';
import { DhtNode } from '../../../src/bittorrent/dht/dht-node.ts';
import { lookup } from '../../../src/bittorrent/dht/lookup.ts';
import type { Observation } from '../../../src/domain/observation.ts';

/** A local DHT on 127.0.0.1 only: 30 plain nodes, one "counterseed" node that announces 6 infohashes. */
const N = 30;
const nodes: DhtNode[] = [];
/** Arrival times of queries from the counterseed node, per receiving node. */
const fromCs = new Map<number, number[]>();
const observations: Observation[] = [];
let cs: DhtNode;
const hashes = Array.from({ length: 6 }, () => Buffer.from(randomBytes(20)).toString('hex'));
const PEER_PORT = 40_001;

before(async () => {
  for (let i = 0; i < N; i++) {
    const n: DhtNode = new DhtNode({ host: '127.0.0.1', port: 0, queryTimeoutMs: 500 }, {
      now: Date.now, decoyFor: () => null, peerPort: () => null, publish: () => {},
      onQuery: (from) => { if (cs && from.port === cs.address.port) fromCs.get(i)!.push(Date.now()); },
    });
    fromCs.set(i, []);
    await n.start();
    nodes.push(n);
  }
  cs = new DhtNode({ host: '127.0.0.1', port: 0, queryTimeoutMs: 500 }, {
    now: Date.now, decoyFor: (h) => (hashes.includes(h) ? hashes.indexOf(h) + 1 : null), peerPort: () => PEER_PORT,
    publish: (o) => observations.push(o),
  });
  await cs.start();
  // Every node enters through node 0 only, so the rest of each table comes from lookups; a second round fills in.
  await Promise.all(nodes.slice(1).map((n) => bootstrap(n, [nodes[0]!.address])));
  await Promise.all(nodes.slice(1).map((n) => bootstrap(n, [nodes[0]!.address])));
  await bootstrap(cs, [nodes[N - 1]!.address]);
});

after(async () => { for (const n of [...nodes, cs]) await n?.stop(); });

test('bootstrap fills routing tables beyond the entry node', () => {
  assert.ok(cs.table.size >= 8, `counterseed table ${cs.table.size}`);
  assert.ok(nodes[0]!.table.size >= 3, `first node table ${nodes[0]!.table.size}`);
});

test('announce scheduler: every decoy announced, a get_peers lookup finds us, the per-destination cap holds', async () => {
  for (const times of fromCs.values()) times.length = 0;
  const sched = new DhtAnnounceScheduler({ peerPort: PEER_PORT, cycleMs: 60_000, concurrency: 4 }, { node: cs, self: { ip: '127.0.0.1', port: PEER_PORT }, now: Date.now });
  hashes.forEach((h, i) => sched.add(h, i + 1));
  assert.equal(sched.scheduled, hashes.length);
  sched.start();
  await sched.whenAllAnnounced({ signal: AbortSignal.timeout(30_000) });
  await sched.stop();
  assert.equal(sched.stats.announces, hashes.length);
  assert.ok(sched.stats.fullLookups === hashes.length);

  // An independent node looks for one decoy through the DHT and is told our peer port.
  const seeker = nodes[5]!;
  const target = Buffer.from(hashes[2]!, 'hex');
  const r = await lookup(seeker, target, 'get_peers', { seeds: seeker.table.closest(target, 16) });
  assert.ok(r.peers.some((p: NodeAddress) => p.ip === '127.0.0.1' && p.port === PEER_PORT), `peers: ${JSON.stringify(r.peers)}`);

  // No node saw more than 2 queries from us in any 1 s window (receiver-side timestamps).
  let peak = 0;
  for (const times of fromCs.values()) {
    for (const t0 of times) peak = Math.max(peak, times.filter((t) => t >= t0 && t < t0 + 1000).length);
  }
  assert.ok(peak >= 1 && peak <= 2, `peak per-destination queries in 1 s: ${peak}`);
});

test('get_peers for our infohash is recorded as weak swarm presence and answered with our peer port', async () => {
  const asker = nodes[7]!;
  const mark = observations.length;
  const r = await asker.query(cs.address, 'get_peers', { infoHash: Buffer.from(hashes[0]!, 'hex') });
  assert.deepEqual(r.values, [{ ip: '127.0.0.1', port: PEER_PORT }]);
  assert.ok(r.token && r.token.length > 0);
  // announce_peer with that token is accepted and recorded too; a forged token is refused.
  await asker.query(cs.address, 'announce_peer', { infoHash: Buffer.from(hashes[0]!, 'hex'), port: 51413, token: r.token });
  await assert.rejects(asker.query(cs.address, 'announce_peer', { infoHash: Buffer.from(hashes[0]!, 'hex'), port: 51413, token: Uint8Array.of(1, 2, 3) }), /error-reply: 203/);
  const mine = observations.slice(mark);
  assert.deepEqual(mine.map((o) => o.kind === 'swarm-presence' && [o.source, o.strength, o.decoyId, o.remotePort]), [
    ['dht-get-peers', 'weak', 1, asker.address.port], ['dht-announce-peer', 'weak', 1, 51413],
  ]);
  // The announced peer is now handed out to others, after us.
  const r2 = await nodes[8]!.query(cs.address, 'get_peers', { infoHash: Buffer.from(hashes[0]!, 'hex') });
  assert.deepEqual(r2.values, [{ ip: '127.0.0.1', port: PEER_PORT }, { ip: '127.0.0.1', port: 51413 }]);
});

test('a read-only node (BEP 43) answers nothing and stays out of tables', async () => {
  const ro = new DhtNode({ host: '127.0.0.1', port: 0, readOnly: true, queryTimeoutMs: 300 }, { now: Date.now, decoyFor: () => null, peerPort: () => null, publish: () => {} });
  await ro.start();
  try {
    const before = nodes[3]!.table.all().length;
    await ro.query(nodes[3]!.address, 'ping');
    assert.equal(nodes[3]!.table.all().length, before, 'ro=1 sender not added');
    await assert.rejects(nodes[3]!.query(ro.address, 'ping'), /timeout/);
  } finally { await ro.stop(); }
});

test('unknown methods get error 204', async () => {
  await assert.rejects(nodes[1]!.query(nodes[2]!.address, 'vote'), /error-reply: 204/);
});

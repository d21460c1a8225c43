import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { it } from 'node:test';
import { DhtAnnounceScheduler } from '../../../src/bittorrent/dht/announce-scheduler.ts';
import type { NodeAddress, NodeInfo } from '../../../src/bittorrent/dht/compact.ts';
import type { KrpcResponse, QueryArgs } from '../../../src/bittorrent/dht/krpc.ts';

const hex = (i: number) => createHash('sha1').update(`holiday-video-${i}.mp4`).digest('hex');

/** One fake DHT node that answers get_peers with a token and holds announce_peer replies until released. */
function fakeNode() {
  const remote: NodeInfo = { id: new Uint8Array(20).fill(7), ip: '127.0.0.1', port: 7000 };
  const announced: string[] = [];
  const held: (() => void)[] = [];
  let hold = false;
  const reply = (token?: Uint8Array): KrpcResponse => ({ y: 'r', t: new Uint8Array(2), id: remote.id, nodes: [], values: [], ...(token ? { token } : {}) });
  const node = {
    id: new Uint8Array(20),
    table: { closest: () => [{ ...remote, lastSeen: 0, failures: 0 }] as never },
    failed() {},
    recordPresence() {},
    async query(_to: NodeAddress, method: string, args: QueryArgs): Promise<KrpcResponse> {
      if (method === 'get_peers') return reply(Uint8Array.of(1));
      announced.push(Buffer.from((args as { infoHash: Uint8Array }).infoHash).toString('hex'));
      if (hold) await new Promise<void>((r) => held.push(r));
      return reply();
    },
  };
  return { node, announced, holdAnnounces: (on: boolean) => { hold = on; }, release: () => { for (const r of held.splice(0)) r(); } };
}

it('announces every decoy once, newest first, and forgets removed ones (their slots reused by new decoys)', async () => {
  const f = fakeNode();
  const sched = new DhtAnnounceScheduler({ peerPort: 6881, concurrency: 1 }, { node: f.node, self: { ip: '127.0.0.1', port: 6881 }, now: Date.now });
  for (let i = 0; i < 5; i++) sched.add(hex(i), i + 1);
  sched.add(hex(2), 3);
  assert.equal(sched.scheduled, 5, 'a second add of the same infohash is ignored');
  sched.remove(hex(1));
  sched.remove(hex(3));
  sched.add(hex(9), 10);
  assert.equal(sched.scheduled, 4);
  sched.start();
  try { await sched.whenAllAnnounced({ signal: AbortSignal.timeout(10_000) }); } finally { await sched.stop(); }
  assert.deepEqual(f.announced, [hex(9), hex(4), hex(2), hex(0)]);
  assert.equal(sched.stats.announces, 4);
});

it('a decoy removed while its announce is in flight is not rescheduled, and its slot serves the next decoy', async () => {
  const f = fakeNode();
  const sched = new DhtAnnounceScheduler({ peerPort: 6881, concurrency: 4 }, { node: f.node, self: { ip: '127.0.0.1', port: 6881 }, now: Date.now });
  f.holdAnnounces(true);
  sched.add(hex(0), 1);
  sched.add(hex(1), 2);
  sched.start();
  try {
    const all = sched.whenAllAnnounced({ signal: AbortSignal.timeout(10_000) });
    for (let i = 0; i < 100 && f.announced.length < 2; i++) await new Promise((r) => setTimeout(r, 5));
    assert.equal(f.announced.length, 2, 'both announces in flight');
    sched.remove(hex(0));
    sched.add(hex(5), 6);
    f.holdAnnounces(false);
    f.release();
    await all;
    assert.equal(sched.scheduled, 2);
    // Removing the re-used slot's decoy still works, and the removed one stays gone.
    sched.remove(hex(5));
    sched.remove(hex(0));
    assert.equal(sched.scheduled, 1);
    assert.deepEqual(f.announced.slice(0, 2).sort(), [hex(0), hex(1)].sort());
    assert.ok(f.announced.includes(hex(5)), 'the decoy added meanwhile was announced');
    assert.equal(f.announced.filter((h) => h === hex(0)).length, 1, 'the removed decoy was not announced again');
  } finally { await sched.stop(); }
});

it('reserve sizes the scheduler once; adds past the reservation still grow it and are announced', async () => {
  const f = fakeNode();
  const sched = new DhtAnnounceScheduler({ peerPort: 6881, concurrency: 1 }, { node: f.node, self: { ip: '127.0.0.1', port: 6881 }, now: Date.now });
  sched.reserve(2);
  for (let i = 0; i < 1500; i++) sched.add(hex(i), i + 1);
  assert.equal(sched.scheduled, 1500);
  sched.reserve(10);
  assert.equal(sched.scheduled, 1500, 'a smaller reservation changes nothing');
});

it('a re-announce asks the cached closest nodes by address alone (the cache keeps no node ids)', async () => {
  // Eight remote nodes; the routing table offers them once, then nothing: a second announce can only reach them through the cache.
  const remotes: NodeInfo[] = Array.from({ length: 8 }, (_, i) => ({ id: new Uint8Array(20).fill(i + 1), ip: `198.18.1.${i + 1}`, port: 7000 + i }));
  let tableCalls = 0;
  const asked: string[] = [];
  const node = {
    id: new Uint8Array(20),
    table: { closest: () => (tableCalls++ === 0 ? remotes.map((r) => ({ ...r, lastSeen: 0, failures: 0 })) : []) as never },
    failed() {},
    recordPresence() {},
    async query(to: NodeAddress, method: string): Promise<KrpcResponse> {
      asked.push(`${method}@${to.ip}`);
      const r = remotes.find((x) => x.ip === to.ip && x.port === to.port)!;
      return { y: 'r', t: new Uint8Array(2), id: r.id, nodes: [], values: [], ...(method === 'get_peers' ? { token: Uint8Array.of(1) } : {}) };
    },
  };
  let clock = 1_000_000;
  const sched = new DhtAnnounceScheduler({ peerPort: 6881, cycleMs: 60_000, jitter: 0, tokenTtlMs: 0 }, { node, self: { ip: '198.18.0.2', port: 6881 }, now: () => clock });
  sched.add(hex(1), 1);
  sched.start();
  try {
    await sched.whenAllAnnounced({ signal: AbortSignal.timeout(10_000) });
    assert.equal(sched.stats.fullLookups, 1);
    asked.length = 0;
    clock += 61_000; // the next cycle: due again
    sched.start(); // wakes the scheduler as its timer would
    for (let i = 0; i < 200 && sched.stats.announces < 2; i++) await new Promise((r) => setTimeout(r, 5));
    assert.equal(sched.stats.announces, 2, JSON.stringify(sched.stats));
    assert.equal(sched.stats.cachedLookups, 1, `the second announce went through the cache: ${JSON.stringify(sched.stats)} ${asked.join(' ')}`);
    assert.equal(sched.stats.fullLookups, 1);
    assert.deepEqual(asked.filter((a) => a.startsWith('announce_peer')).sort(), remotes.map((r) => `announce_peer@${r.ip}`).sort(), 'every cached node announced to again');
  } finally { await sched.stop(); }
});

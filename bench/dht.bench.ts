/**
 * Issue 4: DHT query rate on a local testbed, receiver-side.
 *
 *   bash scripts/netns-run.sh node bench/dht.bench.ts [NODES=150] [DECOYS=5000] [SECONDS=20]
 *
 * NODES of our DHT nodes on 127.0.0.x (several ports per address) form a local DHT; a counterseed
 * node announces DECOYS decoys into it for SECONDS. Every receiving node timestamps the queries it
 * gets from counterseed, so the figures are what the network saw: queries per second overall, and
 * the peak number any one node received in any 1 s window, side by side with the configured caps.
 */
import { DhtAnnounceScheduler } from '../src/bittorrent/dht/announce-scheduler.ts';
import { bootstrap } from '../src/bittorrent/dht/bootstrap.ts';
import { DhtNode } from '../src/bittorrent/dht/dht-node.ts';
import { randomBytes } from 'node:crypto';

const [NODES = 150, DECOYS = 5000, SECONDS = 20] = process.argv.slice(2).map(Number);
const GLOBAL_CAP = 1000;
const PER_NODE_CAP = 2;

const seen = new Map<string, number[]>();
const routers: DhtNode[] = [];
let csPort = -1;
for (let i = 0; i < NODES; i++) {
  const ip = `127.0.${1 + Math.floor(i / 50)}.${1 + (i % 50)}`;
  const key = `${ip}#${i}`;
  seen.set(key, []);
  const n = new DhtNode({ host: ip, port: 0 }, {
    now: Date.now, decoyFor: () => null, peerPort: () => null, publish: () => {},
    onQuery: (from, _m, now) => { if (from.port === csPort && from.ip === '127.0.0.1') seen.get(key)!.push(now); },
  });
  await n.start();
  routers.push(n);
}
await Promise.all(routers.map((r, i) => bootstrap(r, [routers[(i + 1) % NODES]!.address, routers[(i * 7 + 3) % NODES]!.address])));

const cs = new DhtNode({ host: '127.0.0.1', port: 0, queriesPerSecond: GLOBAL_CAP, perDestinationPerSecond: PER_NODE_CAP }, {
  now: Date.now, decoyFor: () => 1, peerPort: () => 6881, publish: () => {},
});
await cs.start();
csPort = cs.address.port;
await bootstrap(cs, [routers[0]!.address]);
const sched = new DhtAnnounceScheduler({ peerPort: 6881, concurrency: 256 }, { node: cs, self: { ip: '127.0.0.1', port: 6881 }, now: Date.now });
for (let i = 0; i < DECOYS; i++) sched.add(Buffer.from(randomBytes(20)).toString('hex'), i + 1);
const t0 = Date.now();
for (const v of seen.values()) v.length = 0;
sched.start();
await new Promise((r) => setTimeout(r, SECONDS * 1000));
await sched.stop();
const elapsed = (Date.now() - t0) / 1000;

let total = 0;
let peak = 0;
let busiest = 0;
for (const times of seen.values()) {
  total += times.length;
  busiest = Math.max(busiest, times.length);
  let j = 0;
  for (let i = 0; i < times.length; i++) { while (times[i]! - times[j]! >= 1000) j++; peak = Math.max(peak, i - j + 1); }
}
const row = (label: string, a: string, b: string) => console.log(`${label.padEnd(40)} ${a.padStart(12)} ${b.padStart(12)}`);
console.log(`\nDHT testbed: ${NODES} nodes, ${DECOYS} decoys, ${elapsed.toFixed(1)} s (loaded 2-core machine)`);
row('figure', 'measured', 'cap');
row('queries/s received (all nodes)', (total / elapsed).toFixed(1), String(GLOBAL_CAP));
row('bound from per-node cap (nodes x cap)', '', String(NODES * PER_NODE_CAP));
row('peak queries to one node in any 1 s', String(peak), String(PER_NODE_CAP));
row('busiest node, queries/s average', (busiest / elapsed).toFixed(2), String(PER_NODE_CAP));
console.log(`announces completed ${sched.stats.announces}, full lookups ${sched.stats.fullLookups}, queries sent ${cs.stats.sent}, timeouts ${cs.stats.timeouts}, routing table ${cs.table.size}`);
await cs.stop();
for (const r of routers) await r.stop();

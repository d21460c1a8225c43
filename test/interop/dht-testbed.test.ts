/**
 * Issue 4 testbed, inside scripts/netns-run.sh only: a local DHT of our own nodes plus libtorrent
 * nodes, bootstrapped ONLY to one another (add_dht_node); counterseed announces a decoy to it; then
 * a magnet-only download with no tracker, by libtorrent and by aria2, must find counterseed through
 * the DHT, fetch metadata and the warning, and be recorded. Every node counts the queries it got
 * from counterseed: none may see more than the per-node cap (2 per second).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { DhtNode } from '../../src/bittorrent/dht/dht-node.ts';
import { loadSettings } from '../../src/config/load.ts';
import { openContext, type Context } from '../../src/node/context.ts';
import { startSeedNode, type SeedNode } from '../../src/node/seed-node.ts';
import { ManagedProcess, waitForFile } from '../helpers/clients/proc.ts';
import { sha256File } from '../helpers/clients/files.ts';
import { addressFor, assertIsolated } from '../helpers/netns.ts';

const PY = '/usr/bin/python3';
const ROOT = join(import.meta.dirname, '../..');
const SEEDER = addressFor('seeder');
/** Our router nodes: 4 ports on each of 198.18.0.30..39 (40 nodes). */
const OWN_IPS = Array.from({ length: 10 }, (_, i) => `198.18.0.${30 + i}`);
/** libtorrent nodes: one session on each of 198.18.0.21..28, two ports each (16 nodes). */
const LT_IPS = Array.from({ length: 8 }, (_, i) => `198.18.0.${21 + i}`);
const CAP = 2;

const LT_COMMON = `
import json, sys, time, signal, libtorrent as lt
def settings(ip, port, dht=True):
    return {'listen_interfaces': f'{ip}:{port}', 'outgoing_interfaces': ip,
        'enable_dht': dht, 'enable_lsd': False, 'enable_upnp': False, 'enable_natpmp': False,
        'enable_incoming_utp': False, 'enable_outgoing_utp': False,
        # A local DHT on 198.18/15 with several nodes per address: lift the public-internet guards.
        'dht_restrict_routing_ips': False, 'dht_restrict_search_ips': False, 'dht_enforce_node_id': False,
        'dht_prefer_verified_node_ids': False, 'dht_ignore_dark_internet': False, 'dht_extended_routing_table': False,
        'alert_mask': lt.alert_category.dht_log | lt.alert_category.error | lt.alert_category.status}
`;

/** Hosts libtorrent DHT nodes; counts DHT queries from counterseed per node; prints the peak per 1 s window on SIGTERM. */
const LT_NODES = `${LT_COMMON}
spec = json.loads(sys.argv[1])
stop = {'now': False}
signal.signal(signal.SIGTERM, lambda *_: stop.update(now=True))
sessions = []
for ip in spec['ips']:
    for port in (7001, 7002):
        s = lt.session(settings(ip, port), 0)
        sessions.append((f'{ip}:{port}', s))
for name, s in sessions:
    for n in spec['entry']:
        h, p = n.split(':'); s.add_dht_node((h, int(p)))
print(json.dumps({'ready': len(sessions)}), flush=True)
seen = {name: [] for name, _ in sessions}
deadline = time.monotonic() + spec['maxSeconds']
while not stop['now'] and time.monotonic() < deadline:
    time.sleep(0.05)
    for name, s in sessions:
        for a in s.pop_alerts():
            # The binding exposes only message(): '<== [ip:port] { ... 'y': 'q' }' for an incoming query.
            if isinstance(a, lt.dht_pkt_alert):
                m = a.message()
                if m.startswith('<== [' + spec['from'] + ':') and "'y': 'q'" in m:
                    seen[name].append(time.monotonic())
peak = 0
for ts in seen.values():
    for i, t0 in enumerate(ts):
        peak = max(peak, sum(1 for t in ts[i:] if t < t0 + 1.0))
print(json.dumps({'peak': peak, 'queries': sum(len(v) for v in seen.values()), 'nodes': len(seen)}), flush=True)
`;

/** A magnet-only, tracker-less libtorrent download that finds peers through the DHT. */
const LT_DOWNLOAD = `${LT_COMMON}
spec = json.loads(sys.argv[1])
st = settings(spec['ip'], 6881)
# libtorrent re-announces (get_peers) a torrent to the DHT every 15 min by default: too slow for a test.
st['dht_announce_interval'] = 5
s = lt.session(st, 0)
s.add_extension('ut_metadata')
for n in spec['entry']:
    h, p = n.split(':'); s.add_dht_node((h, int(p)))
# Add the magnet only once the DHT has nodes, so the first lookup is not wasted on an empty table.
t_boot = time.monotonic() + 20
while s.status().dht_nodes < 4 and time.monotonic() < t_boot:
    time.sleep(0.2)
atp = lt.parse_magnet_uri(spec['magnet'])
atp.save_path = spec['outDir']
atp.flags = (atp.flags & ~lt.torrent_flags.auto_managed & ~lt.torrent_flags.paused) | lt.torrent_flags.update_subscribe
h = s.add_torrent(atp)
deadline = time.monotonic() + spec['timeoutSec']
while time.monotonic() < deadline:
    s.wait_for_alert(500)
    for a in s.pop_alerts():
        if isinstance(a, lt.torrent_finished_alert):
            print(json.dumps({'done': h.torrent_file().files().file_path(0)}), flush=True); sys.exit(0)
print(json.dumps({'error': 'timeout', 'dht_nodes': s.status().dht_nodes, 'peers': h.status().num_peers}), flush=True); sys.exit(1)
`;

let dir: string;
let ctx: Context;
let node: SeedNode;
const own: DhtNode[] = [];
const ownSeen = new Map<DhtNode, number[]>();
let ltNodes: ManagedProcess;
let csDht = '';
let magnet = '';
let infoHash = '';
let contentSha = '';

before(async () => {
  assertIsolated();
  dir = mkdtempSync(join(tmpdir(), 'cs-dht-'));
  const data = join(dir, 'data');
  writeFileSync(join(dir, 'names.csv'), 'holiday-video-0042.mp4\n');
  execFileSync(join(ROOT, 'bin/counterseed'), ['decoys', 'build', '--data', data, '--names', join(dir, 'names.csv')], { stdio: 'pipe' });

  for (const ip of OWN_IPS) for (let p = 0; p < 4; p++) {
    const n: DhtNode = new DhtNode({ host: ip, port: 7101 + p }, {
      now: Date.now, decoyFor: () => null, peerPort: () => null, publish: () => {},
      onQuery: (from) => { if (from.ip === SEEDER && `${from.ip}:${from.port}` === csDht) ownSeen.get(n)!.push(Date.now()); },
    });
    ownSeen.set(n, []);
    await n.start();
    own.push(n);
  }
  const entry = own.slice(0, 3).map((n) => `${n.address.ip}:${n.address.port}`);
  ltNodes = new ManagedProcess(PY, ['-c', LT_NODES, JSON.stringify({ ips: LT_IPS, entry, from: SEEDER, maxSeconds: 600 })]);
  await ltNodes.waitForLine(/"ready"/, { timeoutMs: 30_000 });
  const { bootstrap } = await import('../../src/bittorrent/dht/bootstrap.ts');
  // Our routers join through each other and through the libtorrent nodes, so the two kinds mix.
  const ltEntry = LT_IPS.slice(0, 4).map((ip) => ({ ip, port: 7001 }));
  await Promise.all(own.map((n, i) => bootstrap(n, [own[(i + 1) % own.length]!.address, ltEntry[i % ltEntry.length]!])));

  const settings = loadSettings({ env: {}, flags: {
    dataDir: data, bind: SEEDER, port: '6881', dhtEnabled: 'true', dhtBootstrap: entry, dhtCycleS: '60',
    flushIntervalMs: '50',
  } });
  ctx = openContext(settings, () => {});
  node = await startSeedNode(ctx);
  const d = (await ctx.store.listDecoys())[0]!;
  infoHash = d.infoHash;
  contentSha = d.contentSha256;
  magnet = `magnet:?xt=urn:btih:${d.infoHash}`;
  csDht = `${node.dht!.nodes[0]!.address.ip}:${node.dht!.nodes[0]!.address.port}`;
  await node.dht!.whenAllAnnounced({ signal: AbortSignal.timeout(60_000) });
});

after(async () => {
  await node?.stop();
  await ctx?.close();
  for (const n of own) await n.stop();
  await ltNodes?.stop('SIGTERM', 5000);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('testbed has 50-200 DHT nodes of two implementations', () => {
  const total = own.length + LT_IPS.length * 2 + 1;
  assert.ok(total >= 50 && total <= 200, `nodes: ${total}`);
  assert.ok(node.dht!.nodes[0]!.table.size >= 8, `counterseed routing table: ${node.dht!.nodes[0]!.table.size}`);
});

test('libtorrent: magnet-only download through the DHT, recorded', async () => {
  const out = join(dir, 'lt');
  const p = new ManagedProcess(PY, ['-c', LT_DOWNLOAD, JSON.stringify({
    ip: addressFor('libtorrent'), magnet, outDir: out, timeoutSec: 90, entry: [`${LT_IPS[4]}:7002`, `${OWN_IPS[7]}:7102`],
  })]);
  try {
    const m = await p.waitForLine(/^\{"(?:done|error)":.*\}$/, { timeoutMs: 100_000 });
    assert.match(m[0], /"done"/, p.describe());
    const file = JSON.parse(m[0]).done as string;
    assert.equal((await sha256File(join(out, file))).sha256, contentSha);
  } finally { await p.stop('SIGTERM', 5000); }
  await waitForDelivery(addressFor('libtorrent'));
});

test('aria2: magnet-only download through the DHT, recorded', async () => {
  const out = join(dir, 'aria2');
  const marker = join(dir, 'aria2-done');
  const hook = join(dir, 'aria2-hook.sh');
  writeFileSync(hook, `#!/bin/sh\ncase "$3" in *'[METADATA]'*|'') exit 0;; esac\nprintf '%s' "$3" > '${marker}.tmp' && mv '${marker}.tmp' '${marker}'\n`);
  chmodSync(hook, 0o755);
  const ip = addressFor('aria2');
  const p = new ManagedProcess('/usr/bin/aria2c', [
    '--no-conf=true', `--dir=${out}`, `--interface=${ip}`, '--listen-port=6881', '--disable-ipv6=true',
    '--enable-dht=true', '--dht-listen-port=6882', `--dht-file-path=${join(dir, 'aria2-dht.dat')}`, `--dht-entry-point=${OWN_IPS[5]}:7101`,
    '--enable-dht6=false', '--bt-enable-lpd=false', '--enable-peer-exchange=false', '--seed-time=0', '--bt-save-metadata=false',
    '--file-allocation=none', '--summary-interval=0', `--on-bt-download-complete=${hook}`, magnet,
  ], { cwd: dir });
  try {
    // aria2 1.36 starts its first get_peers before its routing table has filled; when that finds no
    // peers it retries only after 60 s (DHTGetPeersCommand), so a download takes ~25-130 s here.
    await waitForFile(marker, dir, { timeoutMs: 200_000, failIf: () => (p.exitInfo && !existsSync(marker) ? `aria2c exited\n${p.describe()}` : null) });
    assert.equal((await sha256File(readFileSync(marker, 'utf8'))).sha256, contentSha);
  } finally { await p.stop('SIGTERM', 5000); }
  await waitForDelivery(ip);
});

test('swarm presence recorded from DHT queries for our infohash', async () => {
  const { querySwarmPresence } = await import('../../src/store/sqlite/dht-presence.ts');
  const { SqliteStore } = await import('../../src/store/sqlite/sqlite-store.ts');
  // A get_peers for our decoy from a libtorrent-independent router (ours) reaches counterseed's DHT node:
  // the whole path (DHT node -> bus -> recorder -> append hook -> swarm_presence) must keep it.
  const cs = node.dht!.nodes[0]!.address;
  await own[9]!.query(cs, 'get_peers', { infoHash: Buffer.from(infoHash, 'hex') });
  await node.recorder.flush();
  assert.ok(ctx.store instanceof SqliteStore);
  const rows = querySwarmPresence(ctx.store.database, { infoHash });
  assert.ok(rows.length > 0, 'no swarm presence rows');
  assert.ok(rows.every((r) => r.strength === 'weak'));
  assert.ok(rows.some((r) => r.source === 'dht-get-peers' && r.remoteIp === own[9]!.address.ip && r.remotePort === own[9]!.address.port));
});

test('no node saw more than the per-node cap of queries from counterseed', async () => {
  let peak = 0;
  for (const times of ownSeen.values()) for (const t0 of times) peak = Math.max(peak, times.filter((t) => t >= t0 && t < t0 + 1000).length);
  await ltNodes.stop('SIGTERM', 10_000);
  const m = /\{"peak": (\d+), "queries": (\d+)/.exec(ltNodes.stdout);
  assert.ok(m, `libtorrent node report missing\n${ltNodes.describe()}`);
  const ltPeak = Number(m[1]);
  const ownQueries = [...ownSeen.values()].reduce((a, t) => a + t.length, 0);
  assert.ok(ownQueries + Number(m[2]) > 0, 'counterseed sent no queries at all');
  assert.ok(peak <= CAP, `own nodes peak ${peak}/s`);
  assert.ok(ltPeak <= CAP, `libtorrent nodes peak ${ltPeak}/s`);
});

async function waitForDelivery(ip: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const rows = await ctx.store.queryDeliveries({ ip });
    if (rows.some((r) => r.infoHash === infoHash && r.bytesServed > 0)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.fail(`no delivery with bytes recorded for ${ip}`);
}

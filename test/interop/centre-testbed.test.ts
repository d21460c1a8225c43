/**
 * Issue 12 testbed: three seeder nodes, each in a network namespace of its own with its own address
 * (test/helpers/node-namespace.ts), one centre with PostgreSQL, real clients (aria2) downloading from
 * every node. Then, while the nodes record: the centre is taken away for 60 s; one node is killed with
 * -9 in the middle of a batch and started again; one node's link is cut in the middle of shipping.
 * At the end every record of every node is at the centre exactly once (same seqs, same hashes, same
 * counts), every node's chain verifies at the centre and in an exported package, and no gap is left.
 *
 *   scripts/netns-run.sh node --test test/interop/centre-testbed.test.ts
 *
 * PostgreSQL is the one CI starts (scripts/install-system-deps.sh), reached through its unix socket:
 * a file path, so it answers from inside these namespaces, where 127.0.0.1:5432 is not the host's.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { CentreDb } from '../../src/centre/centre-db.ts';
import { assignCampaign } from '../../src/centre/assignments-db.ts';
import { verifyStoredChain } from '../../src/centre/verify-chain.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { ManagedProcess } from '../helpers/clients/proc.ts';
import { downloadWithAria2 } from '../helpers/clients/aria2.ts';
import { CounterseedCli, type DecoyRow } from '../helpers/counterseed-cli.ts';
import { assertIsolated, extraClientAddress } from '../helpers/netns.ts';
import { NodeNamespace } from '../helpers/node-namespace.ts';
import { dropSchema, pgUnavailable, TEST_PG_URL, uniqueSchema } from '../helpers/postgres.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const MAIN = join(ROOT, 'src', 'cli', 'main.ts');
const NODES = 3;
/** The testbed: the centre is away for 60 s (COUNTERSEED_TESTBED_OUTAGE_S shortens it while developing). */
const OUTAGE_MS = Number(process.env.COUNTERSEED_TESTBED_OUTAGE_S ?? 60) * 1000;
const CUT_MS = 8_000;
/** The centre's address (on the test namespace's lo, reached by every node through its veth) and port. */
const CENTRE_HOST = '198.18.0.5';
const CENTRE_PORT = 7878;
const PEER_PORT = 6881;
const TRACKER_PORT = 6969;
/** Announces per second per node from the load generator: records to ship. */
const ANNOUNCE_GAP_MS = 15;
/** The one name of the campaign the centre assigns to node 1 (a neutral placeholder). */
const CAMPAIGN_DECOY = 'holiday-video-0051.mp4';

/** The test database through the PostgreSQL unix socket (COUNTERSEED_TEST_PG names the database and user). */
function socketUrl(): string {
  const u = new URL(TEST_PG_URL);
  return `postgres://${u.username || 'postgres'}@/${u.pathname.slice(1) || 'test'}?host=${process.env.COUNTERSEED_TEST_PG_SOCKET ?? '/var/run/postgresql'}`;
}
const PG = socketUrl();
const unavailable = await pgUnavailable(PG);

interface Node {
  readonly i: number;
  readonly ns: NodeNamespace;
  readonly dir: string;
  readonly cli: CounterseedCli;
  readonly fingerprint: string;
  readonly decoy: DecoyRow;
  seed: ManagedProcess | null;
  tracker: string;
}

const work = mkdtempSync(join(tmpdir(), 'cs-testbed-'));
const schema = uniqueSchema('cs_testbed');
const nodes: Node[] = [];
const spaces: NodeNamespace[] = [];
let centre: ManagedProcess | null = null;
let db: CentreDb | undefined;
const events: string[] = [];
const note = (m: string) => events.push(`${new Date().toISOString().slice(11, 23)} ${m}`);

function startCentre(): ManagedProcess {
  return new ManagedProcess(process.execPath, [join(ROOT, 'test/helpers/centre-process.ts'), PG, schema, String(CENTRE_PORT), CENTRE_HOST], { cwd: ROOT });
}

async function startSeed(n: Node): Promise<ManagedProcess> {
  const p = n.ns.spawn([process.execPath, MAIN, '--data', n.dir, 'seed', '--bind', n.ns.address, '--port', String(PEER_PORT),
    '--tracker-server', String(TRACKER_PORT), '--announce-interval', '5', '--centre', `http://${CENTRE_HOST}:${CENTRE_PORT}`,
    '--records-per-second', '100000', '--records-per-source', '100000', '--checkpoint-every', '500'], { cwd: ROOT });
  const m = await p.waitForLine(/^ready (\{.*\})$/, { timeoutMs: 60_000 });
  n.tracker = (JSON.parse(m[1]!) as { trackerHttp: string }).trackerHttp;
  return p;
}

/** One BEP 3 announce to a node's tracker from `from`, as a peer with a fresh peer id: one tracker-announce record. */
function announce(n: Node, from: string): Promise<boolean> {
  const q = (b: Buffer) => [...b].map((x) => `%${x.toString(16).padStart(2, '0')}`).join('');
  const path = `/announce?info_hash=${q(Buffer.from(n.decoy.infoHash, 'hex'))}&peer_id=${q(randomBytes(20))}&port=51413&uploaded=0&downloaded=0&left=1000&compact=1&event=started`;
  return new Promise((res) => {
    const req = request({ host: n.ns.address, port: TRACKER_PORT, path, localAddress: from, agent: false, timeout: 2000 }, (r) => { r.resume(); r.on('end', () => res(r.statusCode === 200)); });
    req.on('error', () => res(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

/** Announces to every node until `signal` aborts; a node that is down (killed, cut) just fails for a while. */
async function loadNodes(signal: AbortSignal, sent: Map<number, number>): Promise<void> {
  await Promise.all(nodes.map(async (n) => {
    const from = extraClientAddress(10 + n.i);
    while (!signal.aborted) {
      if (await announce(n, from)) sent.set(n.i, (sent.get(n.i) ?? 0) + 1);
      await sleep(ANNOUNCE_GAP_MS);
    }
  }));
}

async function until(ok: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${events.join('\n')}`);
    await sleep(100);
  }
}

/** The node's chain as its own store holds it: seq order, hex hashes. */
function localHashes(dir: string): string[] {
  const store = new SqliteStore(join(dir, 'counterseed.db'));
  try {
    const log = store.evidenceLog().tables;
    return [...log.range(0, log.count())].map((r) => r.hash.toString('hex'));
  } finally { void store.close(); }
}

before(async () => {
  if (unavailable) return;
  assertIsolated(); // before any veth exists: afterwards the test namespace has more than lo
  db = await CentreDb.open(PG, schema);
  for (let i = 1; i <= NODES; i++) spaces.push(await NodeNamespace.create(i));
  // Each node's data directory, decoy and key, made side by side.
  nodes.push(...await Promise.all(spaces.map(async (ns, k): Promise<Node> => {
    const i = k + 1;
    const dir = join(work, `node-${i}`);
    const cli = new CounterseedCli(dir);
    writeFileSync(join(work, `names-${i}.txt`), `holiday-video-004${i}.mp4\n`);
    await cli.run(['init']);
    await cli.buildDecoys(join(work, `names-${i}.txt`));
    const [decoy] = await cli.listDecoys();
    const [fingerprint, ...pem] = (await cli.run(['evidence', 'key', '--pem'])).trim().split('\n');
    await db!.registerNode(pem.join('\n') + '\n', `node-${i}`);
    return { i, ns, dir, cli, fingerprint: fingerprint!, decoy: decoy!, seed: null, tracker: '' };
  })));
  // Node 1 gets a campaign from the centre: it pulls it at start, builds its decoy and serves it.
  await assignCampaign(db.pool, 'node-1', { campaign: 'spring', list: `${CAMPAIGN_DECOY}\n`, perDay: 5, ttlDays: 30, payloadId: null, hybrid: false });
});

after(async () => {
  for (const n of nodes) await n.seed?.stop('SIGKILL', 5_000).catch(() => undefined);
  await centre?.stop('SIGKILL', 5_000).catch(() => undefined);
  for (const ns of spaces) await ns.dispose();
  await db?.close();
  if (!unavailable) await dropSchema(schema, PG).catch(() => undefined);
  rmSync(work, { recursive: true, force: true });
});

test('testbed: 3 nodes in their own namespaces, centre away 60 s, a node killed -9 mid-batch, a link cut mid-shipping: every record at the centre exactly once', { skip: unavailable, timeout: 300_000 }, async () => {
  const started = Date.now();
  centre = startCentre();
  await centre.waitForLine(/^listening /, { timeoutMs: 30_000 });
  for (const n of nodes) n.seed = await startSeed(n);
  const status = async () => new Map((await db!.status()).map((s) => [s.fingerprint, s]));
  await until(async () => [...(await status()).values()].every((s) => s.acked > 0), 60_000, 'every node shipping its first records through its own link');
  note('every node ships');
  await until(async () => (await status()).get(nodes[0]!.fingerprint)?.health?.campaigns.includes('spring') === true, 60_000, 'node 1 running its assigned campaign');
  const campaignDecoy = (await nodes[0]!.cli.listDecoys()).find((d) => d.name === CAMPAIGN_DECOY);
  assert.ok(campaignDecoy, 'node 1 built the assigned campaign\'s decoy');
  note('node 1 runs the assigned campaign');

  // 1. The centre goes away for 60 s. The nodes serve real clients and record meanwhile.
  await centre.stop('SIGKILL');
  centre = null;
  const away = Date.now();
  note('centre killed (-9)');
  const ackedWhileAway = new Map([...(await status())].map(([fp, s]) => [fp, s.acked]));
  const loadStop = new AbortController();
  const sent = new Map<number, number>();
  const load = loadNodes(loadStop.signal, sent);
  const downloads = Promise.all(nodes.map(async (n) => {
    const out = join(work, `download-${n.i}`);
    mkdirSync(out);
    const exported = await n.cli.exportDecoys(join(work, `export-${n.i}`), [n.tracker]);
    const outcome = await downloadWithAria2({ torrentFile: exported.torrents.get(n.decoy.infoHash)!, outDir: out, bindIp: extraClientAddress(n.i), requireEncryption: false, timeoutMs: 50_000 });
    note(`aria2 got node ${n.i}'s decoy`);
    if (n.i === 1) {
      // The decoy of the campaign the centre assigned: served by node 1 as well.
      const out2 = join(work, 'download-campaign');
      mkdirSync(out2);
      const got = await downloadWithAria2({ torrentFile: exported.torrents.get(campaignDecoy.infoHash)!, outDir: out2, bindIp: extraClientAddress(4), requireEncryption: false, timeoutMs: 50_000 });
      assert.equal(got.sha256, campaignDecoy.contentSha256, 'aria2 downloaded the assigned campaign\'s decoy from node 1');
      note('aria2 got node 1\'s campaign decoy');
    }
    return outcome;
  }));
  const outcomes = await downloads;
  for (const [k, o] of outcomes.entries()) assert.equal(o.sha256, nodes[k]!.decoy.contentSha256, `aria2 downloaded node ${k + 1}'s decoy while the centre was away`);
  await sleep(Math.max(0, OUTAGE_MS - (Date.now() - away)));
  for (const [fp, s] of await status()) assert.equal(s.acked, ackedWhileAway.get(fp), 'nothing is acknowledged while the centre is away');

  // 2. The centre comes back. Node 2 is killed (-9) as its first batch reaches the centre; node 3's link
  //    is cut as its first batch does, for CUT_MS.
  centre = startCentre();
  const victim = nodes[1]!;
  const cutNode = nodes[2]!;
  let killed: Promise<unknown> | undefined;
  let cut: Promise<void> | undefined;
  centre.onLine((line) => {
    const m = /^batch (\d+) ([0-9a-f]{64})$/.exec(line);
    if (!m || m[1] === '0') return;
    if (m[2] === victim.fingerprint && !killed) { note(`node 2: batch of ${m[1]} at the centre, kill -9`); killed = victim.seed!.stop('SIGKILL'); }
    if (m[2] === cutNode.fingerprint && !cut) {
      note(`node 3: batch of ${m[1]} at the centre, link cut`);
      cutNode.ns.cut();
      cut = sleep(CUT_MS).then(() => { cutNode.ns.restore(); note('node 3: link restored'); });
    }
  });
  await centre.waitForLine(/^listening /, { timeoutMs: 30_000 });
  note(`centre back after ${Date.now() - away} ms`);
  /** Per node: answers after this instant count as caught up (the centre's return, node 2's restart, node 3's restored link). */
  const since = new Map(nodes.map((n) => [n.fingerprint, Date.now()]));
  await until(() => killed !== undefined && cut !== undefined, 60_000, 'a batch of node 2 and of node 3 at the centre');
  await killed;
  victim.seed = await startSeed(victim);
  since.set(victim.fingerprint, Date.now());
  note('node 2 started again');
  await cut;
  since.set(cutNode.fingerprint, Date.now());
  // Catching up: every node's shipper reaches what its node has (the centre acknowledges it all).
  // (backlog is what the node reported with its last batch; acked past the outage's value means that batch came after the return)
  await until(async () => [...(await status()).values()].every((s) => s.backlog === 0 && s.acked > ackedWhileAway.get(s.fingerprint)! && (s.lastContact ?? 0) > since.get(s.fingerprint)!), 90_000, 'every node caught up');
  note('caught up');
  loadStop.abort();
  await load;

  // 3. The nodes stop (their last records are written at shutdown, after their shipper stopped); each
  //    hands them over with `centre ship`, from inside its namespace, through its own link.
  for (const n of nodes) {
    const exit = await n.seed!.stop('SIGTERM', 30_000);
    assert.equal(exit.code, 0, `node ${n.i} stops cleanly\n${n.seed!.describe()}`);
    n.seed = null;
    const ship = n.ns.spawn([process.execPath, MAIN, '--data', n.dir, 'centre', 'ship', '--centre', `http://${CENTRE_HOST}:${CENTRE_PORT}`], { cwd: ROOT });
    const done = await ship.exited;
    assert.equal(done.code, 0, `centre ship for node ${n.i}\n${ship.describe()}`);
  }
  note('final records shipped');

  // 4. Every record of every node at the centre exactly once; every chain verifies there and in a package.
  const st = await status();
  await Promise.all(nodes.map(async (n) => {
    const local = localHashes(n.dir);
    const s = st.get(n.fingerprint)!;
    assert.ok(local.length > 500, `node ${n.i} recorded a real load (${local.length} records; ${sent.get(n.i) ?? 0} announces sent)`);
    assert.equal(s.acked, local.length, `node ${n.i}: the centre acknowledges every record`);
    assert.equal(await db!.count(n.fingerprint), local.length, `node ${n.i}: as many records at the centre as on the node`);
    assert.equal(await db!.distinctSeqs(n.fingerprint), local.length, `node ${n.i}: no record twice`);
    const central = (await db!.pool.query('SELECT r.hash FROM centre_nodes c, cs_centre_records(c.id, 0, 1099511627776) r WHERE c.fingerprint = $1 ORDER BY r.seq', [n.fingerprint])).rows.map((r) => (r.hash as Buffer).toString('hex'));
    assert.deepEqual(central, local, `node ${n.i}: the centre holds the node's very records, in order`);
    assert.deepEqual(s.gaps, [], `node ${n.i}: no gap`);
    assert.equal(s.checkpointsPending, 0, `node ${n.i}: every checkpoint shipped is verified`);
    const chain = await verifyStoredChain(db!.pool, n.fingerprint);
    assert.equal(chain.problem, null, `node ${n.i}: the stored chain verifies at the centre`);
    assert.ok(chain.checkpoints >= 2, `node ${n.i}: checkpoints checked against the stored chain (${chain.checkpoints})`);
    const deliveries = (await db!.pool.query(`SELECT r.text FROM centre_nodes c, cs_centre_records(c.id, 0, 1099511627776) r WHERE c.fingerprint = $1 AND r.text <> ''
      AND (r.text::jsonb) ->> 'kind' = 'delivery' AND (r.text::jsonb) -> 'obs' ->> 'remoteIp' = $2`, [n.fingerprint, extraClientAddress(n.i)])).rows;
    assert.ok(deliveries.some((d) => (JSON.parse(String(d.text)) as { obs: { bytesServed: number } }).obs.bytesServed === n.decoy.size), `node ${n.i}: aria2's full delivery is at the centre`);
    const pkg = join(work, `package-${n.i}`);
    await n.cli.run(['evidence', 'export', '--decoy', String(n.decoy.id), '--out', pkg]);
    await n.cli.run(['evidence', 'verify', pkg, '--key-fingerprint', n.fingerprint]);
  }));
  assert.deepEqual(await db!.refusals(), [], 'no request was refused');
  const seconds = (Date.now() - started) / 1000;
  note(`done in ${seconds.toFixed(0)} s; records per node: ${nodes.map((n) => st.get(n.fingerprint)!.acked).join(', ')}`);
  process.stderr.write(`${events.join('\n')}\n`);
});

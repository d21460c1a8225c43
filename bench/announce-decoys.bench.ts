/**
 * Issue 10 item 5 benchmark: N active decoys on one node announced to trackers (Debian's opentracker,
 * HTTP and UDP) and to a local DHT, side by side with libtorrent 2.0.8 doing the same in the same run.
 *
 *   npm run bench:announce-decoys -- [N] [LT_N]        (N default 100,000; LT_N default N; LT_N 0: counterseed only)
 *
 * BENCH_CONCURRENT=1 runs both sides at once, libtorrent with its own opentracker on 198.18.0.5.
 * BENCH_TIMEOUT_S (default 900) is each side's limit for "all announced".
 * BENCH_STORE=DIR keeps the built store (and libtorrent's info dicts) in DIR and reuses it when N
 * matches: 1,000,000 decoys take minutes to build, and the store is the same for every run.
 *
 * Inside the namespace (scripts/netns-run.sh): opentracker on 198.18.0.1:6969 (TCP and UDP) with every
 * decoy's infohash whitelisted (Debian builds it with a whitelist), 20 of our DHT nodes on 198.18.0.4,
 * counterseed bound to 198.18.0.2, libtorrent to 198.18.0.3. Each side runs alone (one after the other).
 * Figures: peak RSS (VmHWM) over the whole run, RSS when every decoy had been announced to both
 * trackers and again 10 s later (steady), and the time from start to "all announced". The DHT is
 * announced to throughout but cannot be "all announced" here: per-destination politeness (2 queries
 * a second to any one node) over 20 nodes caps both sides at a few announces a second; see docs/scale.md.
 * libtorrent runs at LT_N when given (its largest N that fits); ratios are printed only at equal N.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode } from '../src/bencode/index.ts';
import { bootstrap } from '../src/bittorrent/dht/bootstrap.ts';
import { DhtNode } from '../src/bittorrent/dht/dht-node.ts';
import { loadSettings } from '../src/config/load.ts';
import type { NewDecoy } from '../src/domain/decoy.ts';
import { openContext } from '../src/node/context.ts';
import { DEFAULT_PAYLOAD_ID } from '../src/payload/default-payload.ts';

const N = Number(process.argv[2] ?? 100_000);
const LT_N = Number(process.argv[3] ?? N);
const TRACKER_IP = '198.18.0.1', CS_IP = '198.18.0.2', LT_IP = '198.18.0.3', DHT_IP = '198.18.0.4';
const TRACKERS = [`http://${TRACKER_IP}:6969/announce`, `udp://${TRACKER_IP}:6969`];
const LT_TRACKER_IP = '198.18.0.5';
/** BENCH_CONCURRENT=1: both sides at once (each its own opentracker): half the wall time at 1,000,000, the same CPU contention for both. */
const CONCURRENT = process.env.BENCH_CONCURRENT === '1';
const STEADY_S = 10;
/**
 * BENCH_CS_GO=FILE (with BENCH_CONCURRENT=1): counterseed's side starts when FILE exists (at most
 * BENCH_CS_GO_MAX_S, default 3600, after libtorrent's), so that libtorrent's long start at 1,000,000
 * can begin while counterseed's is still being worked on; both still run in the same namespace and run.
 */
const CS_GO = process.env.BENCH_CS_GO;
const CS_GO_MAX_S = Number(process.env.BENCH_CS_GO_MAX_S ?? 3600);
/** The machine is shared: libtorrent (its RSS grows past 5 GB at 1,000,000) is stopped when MemAvailable drops under this. */
const MIN_AVAILABLE_MB = Number(process.env.BENCH_MIN_AVAILABLE_MB ?? 4096);
/** A side that has not had every answer by then reports how many it had (libtorrent retries timed-out UDP announces for a long time). */
const TIMEOUT_S = Number(process.env.BENCH_TIMEOUT_S ?? 900);
/** BENCH_END_AT=ISO time: a hard bound for the whole run; each side's limit is cut to end by then (a shared machine's session ends). */
const END_AT = process.env.BENCH_END_AT === undefined ? Infinity : Date.parse(process.env.BENCH_END_AT);
const timeoutS = () => Math.max(30, Math.min(TIMEOUT_S, Math.floor((END_AT - Date.now()) / 1000)));
const ROOT = join(import.meta.dirname, '..');
/** As bin/counterseed starts `seed` (checked in bench/many-decoys.bench.ts); BENCH_EXTRA_FLAGS adds V8 flags to try. */
const SEED_FLAGS = ['--max-semi-space-size=2', ...(process.env.BENCH_EXTRA_FLAGS?.split(' ').filter(Boolean) ?? [])];
const SEED_ENV = { MALLOC_MMAP_THRESHOLD_: '131072', NODE_COMPILE_CACHE: join(ROOT, 'node_modules/.cache/counterseed-compile') };

/** Sides still running when the other fails are stopped with the bench (by their own pid). */
const children: ChildProcess[] = [];

interface Figures {
  decoys: number; cpuS?: number; readyMs: number; allAnnouncedMs: number; rssAtReadyMb: number; rssAllAnnouncedMb: number;
  peakAtAllAnnouncedMb: number; steadyRssMb: number; peakRssMb: number; trackerFailures: number; dhtAnnounces?: number; dhtSeconds?: number;
}

async function main(): Promise<void> {
  if (!readFileSync('/proc/net/dev', 'latin1').includes(' lo:') || !/198\.18\.0\.1\b/.test(execFileSync('ip', ['-4', 'addr', 'show', 'lo']).toString())) {
    throw new Error('run inside the lab namespace: npm run bench:announce-decoys');
  }
  const kept = process.env.BENCH_STORE;
  const dir = kept ?? mkdtempSync(join(tmpdir(), 'cs-announce-'));
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o755);
  const procs: ChildProcess[] = [];
  const routers: DhtNode[] = [];
  try {
    const t0 = performance.now();
    const { infoHashes, payloadFile } = kept !== undefined && existsSync(join(dir, `built-${N}.json`))
      ? JSON.parse(readFileSync(join(dir, `built-${N}.json`), 'utf8')) as { infoHashes: string[]; payloadFile: string }
      : await buildStore(dir);
    if (kept !== undefined) writeFileSync(join(dir, `built-${N}.json`), JSON.stringify({ infoHashes, payloadFile }));
    console.log(`built and stored ${N} decoys in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    // opentracker (Debian: whitelist build; it chroots into -d, so the whitelist path is relative to it).
    // Side by side, libtorrent gets an opentracker of its own (same build, same whitelist) on LT_TRACKER_IP.
    const startTracker = async (ip: string): Promise<void> => {
      const otDir = join(dir, `opentracker-${ip}`);
      rmSync(otDir, { recursive: true, force: true });
      mkdirSync(otDir);
      chmodSync(otDir, 0o755);
      writeFileSync(join(otDir, 'whitelist.txt'), `${infoHashes.join('\n')}\n`);
      const ot = spawn('/usr/bin/opentracker', ['-i', ip, '-p', '6969', '-P', '6969', '-d', otDir, '-w', 'whitelist.txt'], { stdio: ['ignore', 'ignore', 'inherit'] });
      procs.push(ot);
      await new Promise((r) => setTimeout(r, 1500));
      if (ot.exitCode !== null) throw new Error(`opentracker exited ${ot.exitCode}`);
    };
    await startTracker(TRACKER_IP);
    if (CONCURRENT) await startTracker(LT_TRACKER_IP);
    infoHashes.length = 0;

    for (let i = 0; i < 20; i++) {
      const r = new DhtNode({ host: DHT_IP, port: 0 }, { now: Date.now, decoyFor: () => null, peerPort: () => null, publish: () => {} });
      await r.start();
      routers.push(r);
    }
    await Promise.all(routers.map((r, i) => bootstrap(r, [routers[(i + 1) % routers.length]!.address])));
    const dht = `${DHT_IP}:${routers[0]!.address.port}`;

    const runCs = () => runChild(process.execPath, [...SEED_FLAGS, join(import.meta.dirname, 'lib/announce-decoys-node.ts'),
      JSON.stringify({ data: join(dir, 'data'), bind: CS_IP, trackers: TRACKERS, dhtBootstrap: dht, steadyS: STEADY_S, timeoutS: timeoutS() })], { ...process.env, ...SEED_ENV });
    const ltDir = join(dir, 'lt');
    mkdirSync(ltDir, { recursive: true });
    const ltTrackers = CONCURRENT ? TRACKERS.map((t) => t.replace(TRACKER_IP, LT_TRACKER_IP)) : TRACKERS;
    const runLt = () => runChild('/usr/bin/python3', [join(import.meta.dirname, 'lib/announce_decoys_lt.py'),
      JSON.stringify({ infos: join(dir, 'infos.bin'), payload: payloadFile, saveDir: ltDir, n: LT_N, bind: LT_IP, trackers: ltTrackers, dht, steadyS: STEADY_S, timeoutS: timeoutS() })]);
    if (LT_N === 0) { console.log(`counterseed: ${JSON.stringify(await runCs())}`); return; }
    const waitGo = async () => {
      if (CS_GO === undefined) return;
      const until = performance.now() + CS_GO_MAX_S * 1000;
      while (!existsSync(CS_GO) && performance.now() < until) await new Promise((r) => setTimeout(r, 2000));
      console.log(`counterseed side starts (${existsSync(CS_GO) ? CS_GO : 'BENCH_CS_GO_MAX_S'}) at ${new Date().toISOString()}`);
    };
    const guard = guardMemory();
    const settle = <T>(p: Promise<T>) => Promise.allSettled([p]).then((r) => r[0]);
    const [csSettled, ltSettled] = CONCURRENT
      ? await Promise.allSettled([waitGo().then(runCs), runLt()])
      : [await settle(runCs()), await settle(runLt())];
    clearInterval(guard);
    if (csSettled.status === 'rejected') throw csSettled.reason;
    if (ltSettled.status === 'rejected') {
      console.log(`counterseed: ${JSON.stringify(csSettled.value)}`);
      console.log(`libtorrent did not finish (${String(ltSettled.reason).slice(0, 300)}); its [lt] lines above say where it was. No ratio.`);
      return;
    }
    const [cs, lt] = [csSettled.value, ltSettled.value];
    console.log(`counterseed: ${JSON.stringify(cs)}`);
    console.log(`libtorrent: ${JSON.stringify(lt)}`);

    const same = cs.decoys === lt.decoys;
    const cell = (v: number, unit: string) => `${v.toFixed(1)} ${unit}`.padStart(14);
    const row = (label: string, a: number, b: number, unit: string) =>
      console.log(`${label.padEnd(40)} ${cell(a, unit)} ${cell(b, unit)} ${same ? (a / b).toFixed(3).padStart(8) : '     n/a'}`);
    console.log(`\n${cs.decoys} decoys (counterseed) / ${lt.decoys} torrents (libtorrent) announced to opentracker (HTTP + UDP) and a local DHT`);
    console.log(`(${new Date().toISOString()}, ${CONCURRENT ? 'both sides at once, each with its own opentracker' : 'one side after the other'}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}, 2 cores shared with other work)`);
    console.log(`${'figure'.padEnd(40)} ${'counterseed'.padStart(14)} ${'libtorrent'.padStart(14)} ${'ratio'.padStart(8)}`);
    row('peak RSS (VmHWM, whole run)', cs.peakRssMb, lt.peakRssMb, 'MB');
    row('RSS when all announced to both trackers', cs.rssAllAnnouncedMb, lt.rssAllAnnouncedMb, 'MB');
    row(`steady RSS (${STEADY_S} s later)`, cs.steadyRssMb, lt.steadyRssMb, 'MB');
    row('time to all announced (from start)', cs.allAnnouncedMs / 1000, lt.allAnnouncedMs / 1000, 's');
    row('time to ready', cs.readyMs / 1000, lt.readyMs / 1000, 's');
    if (cs.cpuS !== undefined && lt.cpuS !== undefined) row('CPU time, user + sys (whole run)', cs.cpuS, lt.cpuS, 's');
    console.log(`tracker failures: counterseed ${cs.trackerFailures}, libtorrent ${lt.trackerFailures}; counterseed DHT announces meanwhile: ${cs.dhtAnnounces} in ${cs.dhtSeconds?.toFixed(0)} s`);
    const ltAnswers = lt as Figures & { answered?: number; wanted?: number };
    if (ltAnswers.answered !== undefined && ltAnswers.answered < ltAnswers.wanted!) {
      console.log(`libtorrent did NOT reach all announced in its limit: ${ltAnswers.answered} of ${ltAnswers.wanted} (torrent, tracker) answers; its time and RSS rows are where it was then.`);
    }
    if ((cs as Figures & { timedOut?: boolean }).timedOut) console.log('counterseed did NOT reach all announced in its limit: its rows are where it was then.');
    if (!same) console.log('libtorrent ran at a smaller N (its largest that fits): no ratio is printed, and none is extrapolated.');
  } finally {
    for (const r of routers) await r.stop();
    for (const p of [...procs, ...children]) if (p.exitCode === null && p.signalCode === null) p.kill('SIGTERM');
    if (kept === undefined) rmSync(dir, { recursive: true, force: true });
  }
}

/** Every 5 s: MemAvailable; under MIN_AVAILABLE_MB the libtorrent child (the last python3 started) is killed by its pid. */
function guardMemory(): NodeJS.Timeout {
  return setInterval(() => {
    const availMb = Number(/MemAvailable:\s+(\d+)/.exec(readFileSync('/proc/meminfo', 'latin1'))?.[1] ?? 0) / 1024;
    if (availMb >= MIN_AVAILABLE_MB) return;
    for (const c of children) {
      if (c.spawnfile !== '/usr/bin/python3' || c.exitCode !== null || c.signalCode !== null) continue;
      console.log(`MemAvailable ${availMb.toFixed(0)} MB < ${MIN_AVAILABLE_MB} MB at ${new Date().toISOString()}: libtorrent (pid ${c.pid}) stopped`);
      c.kill('SIGKILL');
    }
  }, 5000);
}

/** N decoys of the default payload in a fresh store; libtorrent gets the same info dicts. */
async function buildStore(dir: string): Promise<{ infoHashes: string[]; payloadFile: string }> {
  const ctx = openContext(loadSettings({ env: {}, flags: { dataDir: join(dir, 'data') } }), () => {});
  const payload = ctx.payloads.bytes(DEFAULT_PAYLOAD_ID);
  const pieceLength = 1 << 18;
  const pieces = Buffer.concat(Array.from({ length: Math.ceil(payload.length / pieceLength) }, (_, i) =>
    createHash('sha1').update(payload.subarray(i * pieceLength, (i + 1) * pieceLength)).digest()));
  const contentSha256 = createHash('sha256').update(payload).digest('hex');
  const infoHashes: string[] = [];
  const infosFile = join(dir, 'infos.bin');
  writeFileSync(infosFile, '');
  const BATCH = 50_000;
  for (let start = 0; start < N; start += BATCH) {
    const decoys: NewDecoy[] = [];
    const infos: Buffer[] = [];
    for (let i = start; i < Math.min(N, start + BATCH); i++) {
      const name = `holiday-video-${String(i).padStart(7, '0')}.mp4`;
      const info = encode({ length: payload.length, name, 'piece length': pieceLength, pieces });
      const infoHash = createHash('sha1').update(info).digest('hex');
      decoys.push({ infoHash, name, payloadId: DEFAULT_PAYLOAD_ID, size: payload.length, pieceLength, pieceCount: pieces.length / 20, info, contentSha256 });
      infoHashes.push(infoHash);
      infos.push(Buffer.concat([Buffer.from(`${info.length}\n`), info]));
    }
    await ctx.store.insertDecoys(decoys, Date.now());
    appendFileSync(infosFile, Buffer.concat(infos));
  }
  await ctx.close();
  const payloadFile = join(dir, 'payload.bin');
  writeFileSync(payloadFile, payload);
  return { infoHashes, payloadFile };
}

function runChild(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Figures> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'], env });
    children.push(p);
    let out = '';
    const timer = setTimeout(() => p.kill('SIGKILL'), (timeoutS() + 600) * 1000);
    // The figures line ends a side's run: libtorrent's session teardown (a `stopped` for every torrent) is not waited for.
    p.stdout.on('data', (d: Buffer) => { out += d.toString(); if (/^\{"decoys".*\}\s*$/m.test(out)) p.kill('SIGKILL'); });
    p.on('close', (code) => {
      clearTimeout(timer);
      const last = out.trim().split('\n').filter((l) => l.startsWith('{"decoys"')).pop() ?? '';
      try { resolve(JSON.parse(last) as Figures); } catch { reject(new Error(`${cmd} exited ${code}: ${out.slice(-2000)}`)); }
    });
  });
}

await main();

/**
 * Issue 4 benchmark: N active decoys (default 100,000) on one node, side by side with
 * libtorrent 2.0.8 holding the same torrents, under BOTH of its presets (high_performance_seed and
 * min_memory_usage: issue 15 item 16 found that each benchmark picked the one that looked worse).
 *
 *   bash scripts/netns-run.sh node bench/many-decoys.bench.ts [N]
 *
 * counterseed: a child process opens the store, loads every active decoy, serves them on one
 * port and schedules each for DHT announce (to a local DHT of 20 of our nodes in this process).
 * "Ready" = seeder listening + every decoy routable + every decoy in the announce heap.
 * libtorrent: one session, every torrent added in seed mode; "ready" = every torrent seeding; its
 * torrent_info objects are parsed before the clock starts. Both sides announce every decoy to the
 * SAME local DHT of 20 nodes, so "while announcing" is the same work: besides CPU per second, the
 * table gives CPU per 1,000 DHT queries the 20 nodes received from that side in the same window.
 * Figures: time to ready, RSS at ready (and peak), CPU ms per second at idle and while announcing.
 * The child runs with the settings bin/counterseed gives `seed` (compile cache, small young
 * generation, pinned mmap threshold); a second run under plain `node` shows what they save.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode } from '../src/bencode/index.ts';
import { DhtNode } from '../src/bittorrent/dht/dht-node.ts';
import { bootstrap } from '../src/bittorrent/dht/bootstrap.ts';
import { loadSettings } from '../src/config/load.ts';
import type { NewDecoy } from '../src/domain/decoy.ts';
import { openContext } from '../src/node/context.ts';
import { warmCompileCache } from './lib/compile-cache.ts';
import { DEFAULT_PAYLOAD_ID } from '../src/payload/default-payload.ts';

const N = Number(process.argv[2] ?? 100_000);
const ROOT = join(import.meta.dirname, '..');
const NODE = process.execPath;
const HOST = '127.0.0.1';
/** How bin/counterseed starts `seed` and `lab`; checked against the launcher so that the two cannot drift apart. */
const SEED_FLAGS = ['--max-semi-space-size=2'];
const SEED_ENV = { MALLOC_MMAP_THRESHOLD_: '131072', NODE_COMPILE_CACHE: join(ROOT, 'node_modules/.cache/counterseed-compile') };
const launcher = readFileSync(join(ROOT, 'bin/counterseed'), 'utf8');
for (const must of [...SEED_FLAGS, 'MALLOC_MMAP_THRESHOLD_:-131072', 'node_modules/.cache/counterseed-compile']) {
  if (!launcher.includes(must)) throw new Error(`bin/counterseed no longer has ${must}: update SEED_FLAGS/SEED_ENV here`);
}
const CHILD = join(import.meta.dirname, 'lib/many-decoys-node.ts');

interface Figures { readyMs: number; rssMb: number; peakRssMb: number; idleCpuMsPerS: number; busyCpuMsPerS: number; extra: string }

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'cs-many-'));
  try {
    const data = join(dir, 'data');
    const ctx = openContext(loadSettings({ env: {}, flags: { dataDir: data } }), () => {});
    const payload = ctx.payloads.bytes(DEFAULT_PAYLOAD_ID);
    const pieceLength = 1 << 18;
    const pieces = Buffer.concat(Array.from({ length: Math.ceil(payload.length / pieceLength) }, (_, i) =>
      createHash('sha1').update(payload.subarray(i * pieceLength, (i + 1) * pieceLength)).digest()));
    const decoys: NewDecoy[] = [];
    const torrents: Uint8Array[] = [];
    for (let i = 0; i < N; i++) {
      const name = `holiday-video-${String(i).padStart(6, '0')}.mp4`;
      const info = encode({ length: payload.length, name, 'piece length': pieceLength, pieces });
      decoys.push({ infoHash: createHash('sha1').update(info).digest('hex'), name, payloadId: DEFAULT_PAYLOAD_ID, size: payload.length,
        pieceLength, pieceCount: pieces.length / 20, info, contentSha256: createHash('sha256').update(payload).digest('hex') });
      if (i < N) torrents.push(info);
    }
    await ctx.store.insertDecoys(decoys, Date.now());
    await ctx.close();
    // libtorrent gets the same info dicts, each with the payload under its own name (a symlink: no copies).
    const ltDir = join(dir, 'lt');
    execFileSync('mkdir', ['-p', ltDir]);
    const payloadFile = join(dir, 'payload.bin');
    writeFileSync(payloadFile, payload);
    writeFileSync(join(dir, 'infos.bin'), Buffer.concat(torrents.map((t) => Buffer.concat([Buffer.from(`${t.length}\n`), t]))));

    // A local DHT of 20 of our nodes for counterseed to announce to.
    const routers: DhtNode[] = [];
    let received = 0;
    for (let i = 0; i < 20; i++) {
      const r = new DhtNode({ host: HOST, port: 0 }, { now: Date.now, decoyFor: () => null, peerPort: () => null, publish: () => {}, onQuery: () => { received++; } });
      await r.start();
      routers.push(r);
    }
    await Promise.all(routers.map((r, i) => bootstrap(r, [routers[(i + 1) % routers.length]!.address])));

    const spec = JSON.stringify({ data, bootstrap: `${HOST}:${routers[0]!.address.port}` });
    // As installed: `npm install` warms the compile cache for the CLI; this warms it for the bench child
    // too, with the same flags (V8 flags are part of the cache's key).
    const seedEnv = { ...process.env, ...SEED_ENV };
    const seedArgs = [...SEED_FLAGS, CHILD];
    execFileSync(NODE, [...seedArgs, '--warm-compile-cache'], { env: seedEnv, stdio: 'inherit' });
    // Queries the local DHT received from one side between its busy-start and busy-end marks.
    let markAt = 0;
    let windowQueries = 0;
    const onMark = (m: string) => { if (m === 'busy-start') markAt = received; else if (m === 'busy-end') windowQueries = received - markAt; };
    const cs = await runChild(NODE, [...seedArgs, spec], seedEnv, onMark);
    const csQueries = windowQueries;
    // The same node under plain `node`: types stripped at start-up, V8 and glibc defaults.
    const plainEnv = { ...process.env };
    for (const k of Object.keys(SEED_ENV)) delete plainEnv[k];
    const plain = await runChild(NODE, [CHILD, spec], plainEnv);
    console.log(`counterseed: ${JSON.stringify(cs)}`);
    // The real process, as an operator starts it: bin/counterseed seed, RSS read from outside, after the
    // compile cache is warmed as `npm install` warms it (a cold one cost ~8 MB more RSS at ready).
    warmCompileCache(ROOT);
    const cli = await runCli(['seed', '--data', data, '--bind', HOST, '--port', '0', '--dht', 'true', '--dht-port', '0', '--dht-bootstrap', `${HOST}:${routers[0]!.address.port}`]);
    const ltRun = async (profile: string) => {
      const f = await runChild('/usr/bin/python3', [join(import.meta.dirname, 'lib/many_decoys_lt.py'),
        JSON.stringify({ infos: join(dir, 'infos.bin'), payload: payloadFile, saveDir: ltDir, n: N, profile, dht: `${HOST}:${routers[0]!.address.port}` })], process.env, onMark);
      return { ...f, queries: windowQueries };
    };
    const ltFast = await ltRun('high_performance_seed');
    const ltSmall = await ltRun('min_memory_usage');
    for (const r of routers) await r.stop();
    const lt = ltFast;

    const cell = (v: number, unit: string) => `${v.toFixed(1)} ${unit}`.padStart(14);
    const row = (label: string, a: number, b: number, c: number, unit: string) =>
      console.log(`${label.padEnd(34)} ${cell(a, unit)} ${cell(b, unit)} ${(a / b).toFixed(3).padStart(8)} ${cell(c, unit)} ${(a / c).toFixed(3).padStart(8)}`);
    const perK = (cpuMsPerS: number, queries: number) => (queries > 0 ? (cpuMsPerS * 10) / (queries / 1000) : Number.NaN);
    console.log(`\n${N} active decoys, one node (${new Date().toISOString()}, 2 cores shared with other work)`);
    console.log(`${'figure'.padEnd(34)} ${'counterseed'.padStart(14)} ${'lt hi-perf'.padStart(14)} ${'ratio'.padStart(8)} ${'lt min-mem'.padStart(14)} ${'ratio'.padStart(8)}`);
    row('time to ready (servable+scheduled)', cs.readyMs, ltFast.readyMs, ltSmall.readyMs, 'ms');
    row('RSS at ready', cs.rssMb, ltFast.rssMb, ltSmall.rssMb, 'MB');
    row('peak RSS', cs.peakRssMb, ltFast.peakRssMb, ltSmall.peakRssMb, 'MB');
    row('CPU at idle', cs.idleCpuMsPerS, ltFast.idleCpuMsPerS, ltSmall.idleCpuMsPerS, 'ms/s');
    row('CPU while announcing to the DHT', cs.busyCpuMsPerS, ltFast.busyCpuMsPerS, ltSmall.busyCpuMsPerS, 'ms/s');
    row('CPU per 1,000 DHT queries', perK(cs.busyCpuMsPerS, csQueries), perK(ltFast.busyCpuMsPerS, ltFast.queries), perK(ltSmall.busyCpuMsPerS, ltSmall.queries), 'ms');
    console.log(`DHT queries the 20 local nodes received in each 10 s announcing window: counterseed ${csQueries}, libtorrent hi-perf ${ltFast.queries}, min-mem ${ltSmall.queries}`);
    console.log(`counterseed: ${cs.extra}`);
    console.log(`libtorrent min_memory_usage: ${ltSmall.extra}`);
    console.log(`\ncounterseed under plain node (no compile cache, V8/glibc defaults): ready ${plain.readyMs.toFixed(0)} ms (x${(plain.readyMs / lt.readyMs).toFixed(3)}), RSS at ready ${plain.rssMb.toFixed(1)} MB (x${(plain.rssMb / lt.rssMb).toFixed(3)}), peak ${plain.peakRssMb.toFixed(1)} MB (x${(plain.peakRssMb / lt.peakRssMb).toFixed(3)}); ${plain.extra.split(';')[0]}`);
    console.log(`\nthe real process (bin/counterseed seed, /proc/PID/status): ready ${cli.readyMs.toFixed(0)} ms after spawn (x${(cli.readyMs / lt.readyMs).toFixed(3)}), RSS at ready ${cli.rssAtReadyMb.toFixed(1)} MB (x${(cli.rssAtReadyMb / lt.rssMb).toFixed(3)}), RSS 10 s later ${cli.rssLaterMb.toFixed(1)} MB (x${(cli.rssLaterMb / lt.rssMb).toFixed(3)}), peak ${cli.peakMb.toFixed(1)} MB (x${(cli.peakMb / lt.peakRssMb).toFixed(3)})`);
    console.log(`libtorrent: ${lt.extra}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs `bin/counterseed ARGS` until it prints its ready line, reads its memory from /proc for 10 s, then stops it with SIGINT (by PID). */
function runCli(args: string[]): Promise<{ readyMs: number; rssAtReadyMb: number; rssLaterMb: number; peakMb: number }> {
  const status = (pid: number, key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const p = spawn(join(ROOT, 'bin/counterseed'), args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let figures: { readyMs: number; rssAtReadyMb: number; rssLaterMb: number; peakMb: number } | undefined;
    const kill = setTimeout(() => p.kill('SIGKILL'), 5 * 60_000);
    p.stderr.on('data', (d: Buffer) => { err = (err + d.toString()).slice(-4000); });
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (figures || !/^ready /m.test(out)) return;
      const readyMs = performance.now() - t0;
      const rssAtReadyMb = status(p.pid!, 'VmRSS');
      figures = { readyMs, rssAtReadyMb, rssLaterMb: 0, peakMb: 0 };
      setTimeout(() => {
        figures!.rssLaterMb = status(p.pid!, 'VmRSS');
        figures!.peakMb = status(p.pid!, 'VmHWM');
        p.kill('SIGINT');
      }, 10_000);
    });
    p.on('close', (code) => {
      clearTimeout(kill);
      if (figures && figures.peakMb > 0) resolve(figures);
      else reject(new Error(`bin/counterseed ${args.join(' ')} exited ${code} before its figures were read: ${err}`));
    });
  });
}

/** Runs a measuring child; it prints busy-start/busy-end marks (passed to onMark as they come) and one JSON line of Figures last. */
function runChild(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env, onMark?: (mark: string) => void): Promise<Figures> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'], env });
    let out = '';
    const timer = setTimeout(() => p.kill('SIGKILL'), 15 * 60_000);
    p.stdout.on('data', (d: Buffer) => {
      const text = d.toString();
      for (const m of text.match(/^busy-(start|end)$/gm) ?? []) onMark?.(m);
      out += text;
    });
    p.on('close', (code) => {
      clearTimeout(timer);
      const last = out.trim().split('\n').pop() ?? '';
      try { resolve(JSON.parse(last) as Figures); } catch { reject(new Error(`${cmd} exited ${code}: ${out.slice(-2000)}`)); }
    });
  });
}

await main();

/**
 * Issue 4 benchmark: N active decoys (default 100,000) on one node, side by side with
 * libtorrent 2.0.8's high_performance_seed preset holding the same torrents.
 *
 *   bash scripts/netns-run.sh node bench/many-decoys.bench.ts [N]
 *
 * counterseed: a child process opens the store, loads every active decoy, serves them on one
 * port and schedules each for DHT announce (to a local DHT of 20 of our nodes in this process).
 * "Ready" = seeder listening + every decoy routable + every decoy in the announce heap.
 * libtorrent: one session, every torrent added in seed mode; "ready" = every torrent seeding.
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
    const cs = await runChild(NODE, [...seedArgs, spec], seedEnv);
    const csQueries = received;
    // The same node under plain `node`: types stripped at start-up, V8 and glibc defaults.
    const plainEnv = { ...process.env };
    for (const k of Object.keys(SEED_ENV)) delete plainEnv[k];
    const plain = await runChild(NODE, [CHILD, spec], plainEnv);
    console.log(`counterseed: ${JSON.stringify(cs)}`);
    // The real process, as an operator starts it: bin/counterseed seed, RSS read from outside, after the
    // compile cache is warmed as `npm install` warms it (a cold one cost ~8 MB more RSS at ready).
    warmCompileCache(ROOT);
    const cli = await runCli(['seed', '--data', data, '--bind', HOST, '--port', '0', '--dht', 'true', '--dht-port', '0', '--dht-bootstrap', `${HOST}:${routers[0]!.address.port}`]);
    for (const r of routers) await r.stop();
    const lt = await runChild('/usr/bin/python3', [join(import.meta.dirname, 'lib/many_decoys_lt.py'), JSON.stringify({ infos: join(dir, 'infos.bin'), payload: payloadFile, saveDir: ltDir, n: N })]);

    const row = (label: string, a: number, b: number, unit: string) =>
      console.log(`${label.padEnd(34)} ${`${a.toFixed(1)} ${unit}`.padStart(14)} ${`${b.toFixed(1)} ${unit}`.padStart(14)} ${(a / b).toFixed(3).padStart(8)}`);
    console.log(`\n${N} active decoys, one node (${new Date().toISOString()}, 2 cores shared with other work)`);
    console.log(`${'figure'.padEnd(34)} ${'counterseed'.padStart(14)} ${'libtorrent'.padStart(14)} ${'ratio'.padStart(8)}`);
    row('time to ready (servable+scheduled)', cs.readyMs, lt.readyMs, 'ms');
    row('RSS at ready', cs.rssMb, lt.rssMb, 'MB');
    row('peak RSS', cs.peakRssMb, lt.peakRssMb, 'MB');
    row('CPU at idle', cs.idleCpuMsPerS, lt.idleCpuMsPerS, 'ms/s');
    row('CPU while announcing (cs: DHT)', cs.busyCpuMsPerS, lt.busyCpuMsPerS, 'ms/s');
    console.log(`counterseed: ${cs.extra}; DHT queries received by the 20 local nodes: ${csQueries}`);
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

/** Runs a measuring child; it prints one JSON line of Figures last. */
function runChild(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Figures> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'], env });
    let out = '';
    const timer = setTimeout(() => p.kill('SIGKILL'), 15 * 60_000);
    p.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    p.on('close', (code) => {
      clearTimeout(timer);
      const last = out.trim().split('\n').pop() ?? '';
      try { resolve(JSON.parse(last) as Figures); } catch { reject(new Error(`${cmd} exited ${code}: ${out.slice(-2000)}`)); }
    });
  });
}

await main();

// Event-loop delay of a serving node while it ingests evidence (issue 16.4).
// Usage: npm run bench:event-loop [-- SECONDS=10]
// A node (bench/lib/event-loop-node.ts, a process of its own, started three times on copies of one data
// directory) serves 32 concurrent lab downloaders (src/lab: the independent bittorrent-protocol
// implementation, loopback only, from 32 addresses 127.0.1.x) and measures its own event-loop delay
// (monitorEventLoopDelay, 1 ms resolution) in three modes, in this order, in the same run:
//   serve-only  the reference: serving, no synthetic ingest (downloads' own deliveries are still written)
//   inline      + 10,000 deliveries/s written in ~5,000-record batches (flush every 500 ms), evidence written on the serving thread (rows, chain,
//               fsync: where it was before the writer thread, minus the hasher worker)
//   thread      + the same batches, written by the evidence writer thread (src/observation/writer-thread.ts)
// Target: p99 < 20 ms in 'thread'. Ratios are to serve-only. The load average is printed at start and end:
// on a shared 2-core machine the delay is mostly how long the node waits for a core, so the loop's busy
// share (eventLoopUtilization: what the serving thread itself spends) and the GC pauses are printed too.
// BENCH_DIAG=/path/module.ts imports a diagnostic module into the measured node (--import).
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { runSimulatedSwarm } from '../src/lab/swarm.ts';
import { infoHashFromHex } from '../src/domain/info-hash.ts';

const REPO = resolve(import.meta.dirname, '..');
const SECONDS = Number(process.argv[2] ?? 10);
/** The recorder's flush interval: at 10,000 deliveries/s, 500 ms makes the 5,000-record batches of the target. */
const FLUSH_MS = Number(process.argv[3] ?? 500);
const DOWNLOADERS = 32;
const MODES = ['serve-only', 'inline', 'thread'] as const;

interface Figures { mode: string; p50: number; p99: number; max: number; published: number; deliveries: number; dropped: number; cpuPct: number; busyPct: number; gcMs: number; gcMaxMs: number }

const base = mkdtempSync(join(tmpdir(), 'cs-bench-el-'));
try {
  const data = join(base, 'data');
  writeFileSync(join(base, 'names.txt'), Array.from({ length: 8 }, (_, i) => `holiday-video-${String(i).padStart(4, '0')}.mp4`).join('\n'));
  const built = spawnSync(process.execPath, [join(REPO, 'src/cli/main.ts'), '--data', data, 'decoys', 'build', '--names', join(base, 'names.txt')], { encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`decoys build failed: ${built.stderr}`);
  const decoys = JSON.parse(spawnSync(process.execPath, [join(REPO, 'src/cli/main.ts'), '--data', data, 'decoys', 'list', '--json'], { encoding: 'utf8' }).stdout) as { infoHash: string; info?: string }[];
  console.log(`event-loop bench: ${DOWNLOADERS} concurrent downloaders, ${SECONDS} s per mode, 10,000 deliveries/s ingested in ~5,000-record batches; node ${process.version}, ${cpus().length} cores, load average at start ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  const rows: Figures[] = [];
  for (const mode of MODES) {
    const dir = join(base, mode);
    cpSync(data, dir, { recursive: true });
    rows.push(await measure(dir, mode, decoys));
  }
  const ref = rows[0]!;
  const f = (x: number) => x.toFixed(2).padStart(8);
  console.log(`\nmode         p50 ms    p99 ms    max ms   p99/ref  deliveries written  dropped  node CPU %  loop busy %  GC pauses ms (max)`);
  for (const r of rows) {
    console.log(`${r.mode.padEnd(10)} ${f(r.p50)}  ${f(r.p99)}  ${f(r.max)}  ${(r.p99 / ref.p99).toFixed(2).padStart(7)}  ${String(r.deliveries).padStart(18)}  ${String(r.dropped).padStart(7)}  ${String(r.cpuPct).padStart(10)}  ${String(r.busyPct).padStart(11)}  ${String(r.gcMs).padStart(9)} (${r.gcMaxMs})`);
  }
  const t = rows.find((r) => r.mode === 'thread')!;
  console.log(`\nwriter thread: p99 ${t.p99} ms ${t.p99 < 20 ? '< 20 ms: meets the target' : '>= 20 ms: misses the target'}; load average at end ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
} finally {
  rmSync(base, { recursive: true, force: true });
}

async function measure(dir: string, mode: string, decoys: { infoHash: string }[]): Promise<Figures> {
  const child = spawn(process.execPath, [...(process.env.BENCH_DIAG ? ['--import', process.env.BENCH_DIAG] : []), join(REPO, 'bench/lib/event-loop-node.ts'), dir, mode, String(SECONDS), String(FLUSH_MS)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise((r) => child.once('exit', r));
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const ready = (await lines.next()).value as string | undefined;
  if (!ready?.startsWith('ready ')) throw new Error(`the node did not start (${mode}): ${ready}`);
  const port = Number(ready.slice(6));
  const stop = new AbortController();
  const swarm = runSimulatedSwarm({
    targets: decoys.map((d) => ({ infoHash: infoHashFromHex(d.infoHash) })), host: '127.0.0.1', port, downloaders: 100_000, concurrency: DOWNLOADERS,
    sourceAddresses: Array.from({ length: DOWNLOADERS }, (_, i) => `127.0.1.${i + 1}`), magnetShare: 1, partialShare: 0, timeoutMs: 20_000, signal: stop.signal,
  });
  child.stdin!.write('go\n');
  const measured = JSON.parse((await lines.next()).value as string) as Figures;
  stop.abort();
  const s = await swarm;
  const r = { ...measured, ...(JSON.parse((await lines.next()).value as string) as Pick<Figures, 'deliveries' | 'dropped'>) };
  await exited;
  process.stderr.write(`${mode}: ${s.ok}/${s.attempted} downloads ok\n`);
  return r;
}

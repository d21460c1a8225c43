/**
 * Issue 4 benchmark, "connections": 10,000 concurrent peer connections held,
 * from many 127.x source addresses, and handshakes per second, side by side
 * with libtorrent 2.0.8 serving the same decoys in the same run.
 *
 *   npm run bench:connections -- [--connections 10000 --sources 100 --decoys 1000 --json out.json]
 *
 * Each seeder runs in its own process with limits raised so that capacity, not
 * policy, is measured (connection caps, per-IP caps, idle timeouts, listen
 * backlog). A separate load-generator process (bench/lib/connections-load.ts)
 * ramps up with bounded concurrency, completes every handshake, holds every
 * connection idle for --hold-s, and samples the seeder's /proc itself.
 * Runs only inside the isolated namespace of scripts/netns-run.sh.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Child, ChildError } from './lib/child.ts';
import { warmCompileCache } from './lib/compile-cache.ts';
import { buildConnectionsFixture, type ConnectionsFixture } from './lib/connections-fixture.ts';
import { formatConnectionsTable, medianFigure, summariseConnections, type ConnectionsFigure } from './lib/connections-figures.ts';
import type { LoadResult, LoadSpec } from './lib/connections-load.ts';
import { CONNECTIONS_USAGE, MAX_PER_SOURCE, parseConnectionsBenchOptions, sourceAddresses, type ConnectionsBenchOptions, type Side } from './lib/connections-options.ts';
import { assertIsolated, describeMachine, formatMachine, NotIsolatedError } from './lib/environment.ts';
import { BenchOptionError, type LtProfile } from './lib/options.ts';

const REPO = resolve(import.meta.dirname, '..');
const CLI = join(REPO, 'src/cli/main.ts');
const LAUNCHER = join(REPO, 'bin/counterseed');
const LOADGEN = join(REPO, 'bench/lib/connections-load.ts');
const LT_SEED = join(REPO, 'bench/lib/connections_lt.py');
const PYTHON = '/usr/bin/python3';
const HOST = '127.0.0.1';
/** counterseed's listen backlog (src/bittorrent/seeder/seeder.ts); libtorrent gets the same. */
const BACKLOG = 1024;
/** Both seeders drop a connection that is silent this long: far beyond the hold. */
const IDLE_TIMEOUT_S = 3600;
const READY_TIMEOUT_MS = 300_000;
/** counterseed writes one delivery record per closed connection on the way out. */
const STOP_GRACE_MS = 120_000;
/** Descriptors beyond the connections themselves (store, pipes, libuv, python). */
const FD_HEADROOM = 4096;
/**
 * libtorrent lowers connections_limit to 80% of RLIMIT_NOFILE at start-up (its own fd
 * policy, not capacity), so every process gets up to 3 descriptors per connection, as far
 * as the hard limit allows (unprivileged or in a container it cannot be raised).
 */
const FDS_PER_CONNECTION = 3;

class InterruptedError extends Error {
  override name = 'InterruptedError';
}

const log = (s: string) => process.stderr.write(`${s}\n`);

interface SideRun {
  readonly side: Side;
  readonly ready: unknown;
  readonly result: LoadResult | null;
  readonly figure: ConnectionsFigure | null;
  readonly problems: string[];
}

async function main(argv: string[]): Promise<number> {
  let opts: ConnectionsBenchOptions;
  try { opts = parseConnectionsBenchOptions(argv); } catch (e) {
    if (e instanceof BenchOptionError) { log(`connections.bench: ${e.message}\n${CONNECTIONS_USAGE}`); return 2; }
    throw e;
  }
  if (opts.help) { process.stdout.write(`${CONNECTIONS_USAGE}\n`); return 0; }
  assertIsolated([]);
  // Source addresses 127.1.x.y are local only because lo holds 127.0.0.1/8.
  if (!(networkInterfaces().lo ?? []).some((a) => a.address === HOST && a.netmask === '255.0.0.0')) {
    throw new NotIsolatedError('lo is down or lacks 127.0.0.1/8; run through scripts/netns-run.sh');
  }
  const [portLo, portHi] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'latin1').trim().split(/\s+/).map(Number) as [number, number];
  const perSource = Math.ceil(opts.connections / opts.sources);
  // Each source address has its own ephemeral port space (bind before connect).
  if (perSource > portHi - portLo + 1) throw new BenchOptionError(`${perSource} connections per source address exceed ip_local_port_range ${portLo}-${portHi}`);
  const hardNofile = Number(/^Max open files\s+\S+\s+(\S+)/m.exec(readFileSync('/proc/self/limits', 'latin1'))?.[1]?.replace('unlimited', 'Infinity') ?? 0);
  const nofile = Math.min(hardNofile, opts.connections * FDS_PER_CONNECTION + FD_HEADROOM);
  if (nofile < opts.connections + FD_HEADROOM) throw new BenchOptionError(`RLIMIT_NOFILE hard limit ${hardNofile} is below ${opts.connections + FD_HEADROOM}; lower --connections`);

  const shutdown = new AbortController();
  const onSignal = () => shutdown.abort(new InterruptedError('interrupted by a signal; children stopped, temporary files removed'));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const signal = shutdown.signal;

  const root = mkdtempSync(join(tmpdir(), 'counterseed-conn-bench-'));
  try {
    const machine = await describeMachine(CLI, PYTHON, { signal });
    process.stdout.write(`${formatMachine(machine)}\n`);
    warmCompileCache(REPO);
    log(`building ${opts.decoys} decoys…`);
    const fixture = await buildConnectionsFixture(root, opts.decoys);
    const hashesPath = join(root, 'infohashes.txt');
    writeFileSync(hashesPath, `${fixture.infoHashes.join('\n')}\n`);
    const sources = sourceAddresses(opts.sources);
    process.stdout.write(`setup: ${opts.connections} connections from ${opts.sources} source addresses (${sources[0]}..${sources.at(-1)}, <= ${perSource} each), ` +
      `${opts.decoys} decoys, ${opts.concurrency} in flight, hold ${opts.holdS} s; ip_local_port_range ${portLo}-${portHi}; RLIMIT_NOFILE ${nofile} for every process; ` +
      `libtorrent profile(s) ${opts.ltProfiles.join(' and ')}\n`);

    // One same-run comparison per libtorrent preset (issue 15 item 16: one preset alone flattered one side).
    const docs: object[] = [];
    let allOk = true;
    for (const ltProfile of opts.ltProfiles) {
      process.stdout.write(`\n--- libtorrent ${ltProfile} ---\n`);
      const runs: SideRun[] = [];
      for (let round = 0; round < opts.rounds; round++) {
        // Alternate who goes first, so that neither side always gets the quieter machine.
        for (const side of round % 2 === 0 ? opts.sides : [...opts.sides].reverse()) {
          signal.throwIfAborted();
          log(`round ${round + 1}/${opts.rounds}`);
          runs.push(await measure(side, { ...opts, ltProfile }, fixture, { hashesPath, sources, nofile }, signal));
        }
      }
      // A side with a failed round (no sample at all) gets no row: its problems are printed instead.
      const figures = opts.sides.flatMap((side) => {
        const mine = runs.filter((r) => r.side === side);
        return mine.every((r) => r.figure) ? [medianFigure(mine.map((r) => r.figure!))] : [];
      });
      process.stdout.write(`\n${opts.connections} connections, ${opts.decoys} decoys, median of ${opts.rounds} round(s) (${new Date().toISOString()}; ${machine.nproc} cores, shared with other work)\n`);
      process.stdout.write(`${formatConnectionsTable(figures)}\n`);
      for (const r of runs) if (!r.figure) process.stdout.write(`${r.side}: FAILED: ${r.problems.join('; ')}\n`);
      for (const r of runs) if (r.figure) process.stdout.write(`  ${r.side} round: ${r.figure.held}/${r.figure.target} held, ${r.figure.handshakesPerS.toFixed(0)} handshakes/s, ${r.figure.cpuUsPerHandshake?.toFixed(0) ?? '-'} us CPU each\n`);
      for (const f of figures) process.stdout.write(`${f.side}: ${f.seederFdsHeld} descriptors open while holding; load generator CPU ${f.loadgenCpuS.toFixed(1)} s\n`);

      docs.push({ ltProfile, figures, runs });
      allOk &&= runs.every((r) => r.figure?.status === 'ok');
    }
    if (opts.jsonOut) {
      const doc = { benchmark: 'connections', date: new Date().toISOString(), machine, options: { ...opts, help: undefined }, portRange: [portLo, portHi], comparisons: docs };
      writeFileSync(opts.jsonOut, `${JSON.stringify(doc, null, 2)}\n`);
      log(`figures written to ${opts.jsonOut}`);
    }
    return allOk ? 0 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    rmSync(root, { recursive: true, force: true });
  }
}

/** Every child gets RLIMIT_NOFILE raised through prlimit(1), which execs the command under the same PID. */
function limited(nofile: number, cmd: string, args: readonly string[]): [string, string[]] {
  return ['prlimit', [`--nofile=${nofile}:${nofile}`, '--', cmd, ...args]];
}

function startSeeder(side: Side, opts: ConnectionsBenchOptions & { ltProfile: LtProfile }, fixture: ConnectionsFixture, nofile: number): Child {
  if (side === 'counterseed') {
    // Through bin/counterseed, as operators start it (compile cache, the launcher's V8 and malloc settings for seed).
    const [cmd, args] = limited(nofile, LAUNCHER, ['--data', fixture.dataDir, 'seed', '--bind', HOST, '--port', '0',
      '--max-connections', String(Math.min(200_000, opts.connections * 2)), '--max-connections-per-ip', String(MAX_PER_SOURCE),
      // Every source address is in 127.1.x.0/24 blocks of 254: the per-/24 limit must not be what is measured.
      '--max-connections-per-prefix', String(Math.min(200_000, opts.connections * 2)),
      '--idle-timeout', String(IDLE_TIMEOUT_S * 1000)]);
    return new Child('counterseed seed', cmd, args);
  }
  const [cmd, args] = limited(nofile, PYTHON, [LT_SEED, JSON.stringify({
    infos: fixture.infosPath, payload: fixture.payloadPath, saveDir: fixture.saveDir, bind: HOST,
    connections: opts.connections * 2, backlog: BACKLOG, idleTimeoutS: IDLE_TIMEOUT_S, profile: opts.ltProfile,
  })]);
  return new Child('libtorrent seeder', cmd, args);
}

/** One seeder, fresh: start, ramp up, hold, stop. Failures become problems, not exceptions. */
async function measure(side: Side, opts: ConnectionsBenchOptions & { ltProfile: LtProfile }, fixture: ConnectionsFixture,
  ctx: { hashesPath: string; sources: readonly string[]; nofile: number }, signal: AbortSignal): Promise<SideRun> {
  const problems: string[] = [];
  let ready: unknown = null;
  let result: LoadResult | null = null;
  log(`${side}: starting with ${opts.decoys} decoys…`);
  const seeder = startSeeder(side, opts, fixture, ctx.nofile);
  try {
    const m = await seeder.waitForLine(/^ready (\{.*\})\s*$/, READY_TIMEOUT_MS, { signal });
    const info = JSON.parse(m[1]!) as { peerPort?: number; port?: number; decoys?: number; torrents?: number };
    ready = info;
    const port = side === 'counterseed' ? info.peerPort : info.port;
    const count = side === 'counterseed' ? info.decoys : info.torrents;
    if (typeof port !== 'number' || port <= 0) throw new ChildError(`${side}: ready line has no port: ${m[0]}`);
    if (count !== opts.decoys) throw new ChildError(`${side}: serving ${count} decoys, expected ${opts.decoys}`);
    log(`${side}: ready on ${HOST}:${port}; ramping up ${opts.connections} connections…`);
    const spec: LoadSpec = {
      host: HOST, port, seederPid: seeder.pid, infoHashesPath: ctx.hashesPath, connections: opts.connections, sources: ctx.sources,
      concurrency: opts.concurrency, holdS: opts.holdS, handshakeTimeoutS: 30, rampTimeoutS: opts.rampTimeoutS, settleS: 2,
    };
    const [cmd, args] = limited(ctx.nofile, process.execPath, [LOADGEN, JSON.stringify(spec)]);
    const gen = new Child('load generator', cmd, args);
    try {
      const out = await gen.waitForLine(/^(\{.*\})\s*$/, (spec.settleS + opts.rampTimeoutS + opts.holdS + 120) * 1000, { signal });
      const parsed = JSON.parse(out[1]!) as LoadResult | { error: string };
      if ('error' in parsed) throw new ChildError(`load generator: ${parsed.error}`);
      result = parsed;
      log(`${side}: ${result.opened}/${opts.connections} opened in ${result.rampS.toFixed(1)} s, ${result.held} held after ${opts.holdS} s`);
    } finally {
      await gen.stop();
    }
  } catch (e) {
    if (signal.aborted) throw e;
    problems.push((e as Error).message);
    log(`${side}: failed: ${(e as Error).message}`);
  } finally {
    const exit = await seeder.stop(STOP_GRACE_MS);
    if (exit.killed) problems.push(`${side} did not stop within ${STOP_GRACE_MS / 1000} s; killed`);
    else if (exit.code !== 0) problems.push(`${side} exited with ${exit.code ?? exit.signal}: ${seeder.stderr.slice(-500)}`);
  }
  return { side, ready, result, figure: result ? summariseConnections(side, opts.connections, result, problems) : null, problems };
}

/** Errors the benchmark expects (bad environment, a failed set-up step): a message, not a stack. */
const EXPECTED = new Set(['NotIsolatedError', 'ChildError', 'BenchOptionError', 'InterruptedError']);

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (e) {
  if (!EXPECTED.has((e as Error).name)) throw e;
  log(`connections.bench: ${(e as Error).message}`);
  process.exitCode = e instanceof InterruptedError ? 130 : 1;
}

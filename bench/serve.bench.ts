/**
 * Serving benchmark: one counterseed node vs libtorrent 2.0.8 seeding THE
 * SAME decoys (same .torrent files, same bytes) to N concurrent libtorrent
 * downloaders on loopback, in one run, printed side by side.
 *
 *   npm run bench:serve -- --n 1,8,32 --json out.json
 *
 * Runs only inside the isolated namespace of scripts/netns-run.sh. See
 * bench/README.md for what is measured, how, and the caveats.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { assertIsolated, describeMachine, formatMachine } from './lib/environment.ts';
import { buildFixture } from './lib/fixture.ts';
import { formatRatio, formatTable, ratio, summarise, type Figure } from './lib/figures.ts';
import { runLoad, type LoadSample } from './lib/load.ts';
import { BenchOptionError, parseServeBenchOptions, USAGE, type LtProfile, type ServeBenchOptions } from './lib/options.ts';
import { SEEDER_KINDS, startSeeder, type SeederKind } from './lib/seeders.ts';
import { defaultPayloadPath } from '../src/payload/index.ts';

const REPO = resolve(import.meta.dirname, '..');
const CLI = join(REPO, 'src/cli/main.ts');
/** The seeder is started as operators start it; the launcher execs node, so its PID is the seeder's. */
const LAUNCHER = join(REPO, 'bin/counterseed');
const PYTHON = '/usr/bin/python3';
const LT_SEED = join(REPO, 'bench/lib/lt_ref_seed.py');
const LT_LOAD = join(REPO, 'bench/lib/lt_load.py');
/** RFC 2544 addresses that scripts/netns-run.sh adds to lo inside the namespace. */
const SEEDER_ADDR = '198.18.0.1';
const DOWNLOADER_ADDRS = Array.from({ length: 39 }, (_, i) => `198.18.0.${i + 2}`);
/** Never fewer unchoke slots than counterseed's default, and never fewer than downloaders. */
const MIN_SLOTS = 64;

class SpaceError extends Error {
  override name = 'SpaceError';
}

class InterruptedError extends Error {
  override name = 'InterruptedError';
}

const log = (s: string) => process.stderr.write(`${s}\n`);

interface Run {
  readonly seeder: SeederKind;
  readonly n: number;
  readonly round: number;
  readonly sample: LoadSample | null;
  readonly problems: string[];
}

async function main(argv: string[]): Promise<number> {
  let opts: ServeBenchOptions;
  try { opts = parseServeBenchOptions(argv); } catch (e) {
    if (e instanceof BenchOptionError) { log(`serve.bench: ${e.message}\n${USAGE}`); return 2; }
    throw e;
  }
  if (opts.help) { process.stdout.write(`${USAGE}\n`); return 0; }
  assertIsolated([SEEDER_ADDR, ...DOWNLOADER_ADDRS]);

  const shutdown = new AbortController();
  const onSignal = () => shutdown.abort(new InterruptedError('interrupted by a signal; children stopped, temporary files removed'));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const signal = shutdown.signal;

  const root = mkdtempSync(join(tmpdir(), 'counterseed-bench-'));
  // Downloads go to tmpfs so the downloaders' disk writes do not pace the seeders.
  const dlRoot = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'counterseed-bench-dl-'));
  try {
    const machine = await describeMachine(CLI, PYTHON, { signal });
    process.stdout.write(`${formatMachine(machine)}\n`);
    const sizeBytes = opts.sizeMiB * 1024 * 1024;
    requireSpace(dlRoot, Math.max(...opts.levels) * sizeBytes, 'downloads');
    requireSpace(root, opts.decoys * sizeBytes, 'the libtorrent copy of the decoys');
    log(`building ${opts.decoys} decoys of ${opts.sizeMiB} MiB from the warning video with the counterseed CLI…`);
    const fixture = await buildFixture({ root, cli: CLI, video: defaultPayloadPath(), sizeBytes, decoys: opts.decoys }, { signal });
    const slots = Math.max(MIN_SLOTS, ...opts.levels);
    process.stdout.write(`setup: ${opts.decoys} decoys x ${opts.sizeMiB} MiB, levels N=${opts.levels.join(',')}, ${opts.rounds} round(s), ${slots} upload slots each, ` +
      `downloaders ${opts.crypto === 'plain' ? 'plaintext' : 'MSE RC4'}, ${process.env.COUNTERSEED_BENCH_TRANSPORT === 'utp' ? 'uTP only (both seeders speak uTP)' : 'TCP only'}, libtorrent profile(s) ${opts.ltProfiles.join(' and ')}\n`);

    // One same-run comparison per libtorrent preset (issue 15 item 16: one preset alone flattered one side).
    const docs: object[] = [];
    let failedAny = false;
    for (const ltProfile of opts.ltProfiles) {
      process.stdout.write(`\n--- libtorrent ${ltProfile} ---\n`);
      const runs: Run[] = [];
      let idx = 0;
      for (const n of opts.levels) {
        for (let round = 0; round < opts.rounds; round++) {
          // Alternate which seeder goes first so neither always gets the warmer machine.
          const order = idx++ % 2 === 0 ? SEEDER_KINDS : [...SEEDER_KINDS].reverse();
          for (const kind of order) {
            signal.throwIfAborted();
            runs.push(await measure(kind, n, round, { ...opts, ltProfile }, { fixture, slots, dlRoot }, signal));
          }
        }
      }

      const figures: Figure[] = [];
      for (const n of opts.levels) {
        for (const kind of SEEDER_KINDS) {
          const mine = runs.filter((r) => r.n === n && r.seeder === kind);
          figures.push(summarise(kind, n, mine.flatMap((r) => (r.sample ? [r.sample] : [])), mine.flatMap((r) => r.problems)));
        }
      }
      const ratios = opts.levels.map((n) => ratio(figures.find((f) => f.n === n && f.seeder === 'counterseed')!, figures.find((f) => f.n === n && f.seeder === 'libtorrent')!));
      process.stdout.write(`\n${formatTable(figures)}\n\n${ratios.map(formatRatio).join('\n')}\n`);
      const failed = figures.filter((f) => f.status === 'failed');
      for (const f of failed) process.stdout.write(`FAILED N=${f.n} ${f.seeder}: ${f.problems.slice(0, 5).join('; ') || `${f.ok}/${f.total} complete`}\n`);

      docs.push({ ltProfile, figures, ratios, runs });
      failedAny ||= failed.length > 0;
    }
    if (opts.jsonOut) {
      const doc = { benchmark: 'serve', date: new Date().toISOString(), machine, options: { ...opts, help: undefined }, slots, comparisons: docs };
      writeFileSync(opts.jsonOut, `${JSON.stringify(doc, null, 2)}\n`);
      log(`figures written to ${opts.jsonOut}`);
    }
    return failedAny ? 1 : 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    rmSync(dlRoot, { recursive: true, force: true });
    rmSync(root, { recursive: true, force: true });
  }
}

/** Refuses to start a run that would fill a file system half way through. */
function requireSpace(dir: string, bytes: number, what: string): void {
  const fs = statfsSync(dir);
  const free = fs.bavail * fs.bsize;
  // 10% headroom for libtorrent's part files and the evidence database.
  if (free < bytes * 1.1) throw new SpaceError(`${what} need ${(bytes / 1e9).toFixed(1)} GB in ${dir}, only ${(free / 1e9).toFixed(1)} GB free: lower --size-mib or --n`);
}

/** One seeder, fresh, at one level: start, load, stop; failures become problems, not exceptions. */
async function measure(kind: SeederKind, n: number, round: number, opts: ServeBenchOptions & { ltProfile: LtProfile },
  ctx: { fixture: Awaited<ReturnType<typeof buildFixture>>; slots: number; dlRoot: string }, signal: AbortSignal): Promise<Run> {
  const problems: string[] = [];
  let sample: LoadSample | null = null;
  const outDir = join(ctx.dlRoot, `${kind}-n${n}-r${round}`);
  mkdirSync(outDir, { recursive: true });
  log(`N=${n} round ${round + 1}: ${kind}…`);
  try {
    const seeder = await startSeeder(kind, { fixture: ctx.fixture, host: SEEDER_ADDR, slots: ctx.slots, launcher: LAUNCHER, ltSeedScript: LT_SEED, python: PYTHON, ltProfile: opts.ltProfile }, { signal });
    try {
      sample = await runLoad(seeder, n, {
        python: PYTHON, script: LT_LOAD, torrents: ctx.fixture.decoys.map((d) => d.torrentPath), bindAddrs: DOWNLOADER_ADDRS,
        outDir, timeoutS: opts.timeoutS, settleS: opts.settleS, crypto: opts.crypto,
      }, { signal });
      log(`  ${sample.ok}/${sample.n} complete in ${sample.wallS.toFixed(2)} s, seeder CPU ${sample.seederCpuSettledS.toFixed(2)} s`);
    } finally {
      const bad = await seeder.stop();
      if (bad) problems.push(bad);
    }
  } catch (e) {
    if (signal.aborted) throw e;
    problems.push((e as Error).message);
    log(`  failed: ${(e as Error).message}`);
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
  return { seeder: kind, n, round, sample, problems };
}

/** Errors the benchmark expects (bad environment, a failed set-up step): a message, not a stack. */
const EXPECTED = new Set(['NotIsolatedError', 'FixtureError', 'ChildError', 'SpaceError', 'InterruptedError']);

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (e) {
  if (!EXPECTED.has((e as Error).name)) throw e;
  log(`serve.bench: ${(e as Error).message}`);
  process.exitCode = e instanceof InterruptedError ? 130 : 1;
}

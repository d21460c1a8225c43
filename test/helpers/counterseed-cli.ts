/**
 * Drives the counterseed CLI as an operator would: `node src/cli/main.ts --data DIR <command>`.
 * Every command name and flag the interop tests use is in CLI below, so a rename
 * is a one-line change here.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DeliveryObservation } from '../../src/domain/observation.ts';
import type { Payload } from '../../src/domain/payload.ts';
import { ManagedProcess, type ExitInfo } from './clients/proc.ts';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const MAIN = join(REPO_ROOT, 'src', 'cli', 'main.ts');

/** The CLI contract in one place. */
export const CLI = {
  data: '--data',
  payloadAdd: ['payload', 'add'],
  payloadList: ['payload', 'list'],
  decoysBuild: ['decoys', 'build'],
  decoysList: ['decoys', 'list'],
  decoysExport: ['decoys', 'export'],
  seed: ['seed'],
  deliveries: ['deliveries'],
  json: '--json',
  names: '--names',
  payload: '--payload',
  out: '--out',
  tracker: '--tracker',
  bind: '--bind',
  port: '--port',
  trackerServer: '--tracker-server',
  announceInterval: '--announce-interval',
  ip: '--ip',
  decoy: '--decoy',
  since: '--since',
  /** The one stdout line `seed` prints once it listens. */
  readyLine: /^ready (\{.*\})$/,
} as const;

/** Bounded: a build hashes decoys (a few MB here), nothing else should take long. */
const COMMAND_TIMEOUT_MS = 5 * 60_000;
/** deliveries --json of a few sessions is small; this bounds a runaway. */
const MAX_OUTPUT = 64 * 1024 * 1024;
const SEED_READY_TIMEOUT_MS = 60_000;
/** seed flushes every observation on SIGTERM; a bounded wait before SIGKILL. */
const SEED_STOP_GRACE_MS = 30_000;

export class CliError extends Error {
  override name = 'CliError';
}

/** `decoys list --json` rows: a Decoy without its info bytes. */
export interface DecoyRow {
  readonly id: number;
  readonly infoHash: string;
  readonly name: string;
  readonly payloadId: string;
  readonly size: number;
  readonly pieceLength: number;
  readonly pieceCount: number;
  readonly contentSha256: string;
  readonly status: 'active' | 'retired';
}

/** What `seed` prints on its ready line. */
export interface SeedReady {
  readonly peerPort: number;
  readonly peerHost?: string;
  readonly trackerHttp: string | null;
  readonly trackerUdp: string | null;
  readonly decoys?: number;
}

export interface SeedOptions {
  readonly bind: string;
  readonly port: number;
  /** Run the built-in tracker on this port (it announces every decoy to it). */
  readonly trackerServerPort?: number;
  readonly trackers?: readonly string[];
  readonly announceIntervalS?: number;
  /** Further flags, passed verbatim. */
  readonly extra?: readonly string[];
  readonly signal?: AbortSignal;
}

export interface SeedProcess {
  readonly ready: SeedReady;
  readonly pid: number;
  describe(): string;
  /** SIGTERM (by PID), bounded wait; the seeder flushes every observation before it exits. */
  stop(): Promise<ExitInfo>;
}

export interface DeliveryFilter {
  readonly ip?: string;
  readonly decoyId?: number;
  readonly since?: Date;
}

export interface ExportResult {
  /** infoHash -> .torrent path */
  readonly torrents: ReadonlyMap<string, string>;
  readonly magnets: readonly string[];
}

export class CounterseedCli {
  readonly dataDir: string;

  constructor(dataDir: string) {
    this.dataDir = dataDir;
  }

  /** Runs one command to completion; throws CliError (with its output) unless it exits 0. */
  async run(args: readonly string[], opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<string> {
    const argv = [MAIN, CLI.data, this.dataDir, ...args];
    // execFile enforces the timeout itself and leaves no timer behind once the command ends.
    return new Promise((resolve, reject) => {
      execFile(process.execPath, argv, {
        cwd: REPO_ROOT, timeout: opts.timeoutMs ?? COMMAND_TIMEOUT_MS, killSignal: 'SIGKILL', maxBuffer: MAX_OUTPUT,
        ...(opts.signal ? { signal: opts.signal } : {}),
      }, (err, stdout, stderr) => {
        if (err) reject(new CliError(`counterseed ${args.join(' ')} failed (${(err as NodeJS.ErrnoException).code ?? err.message})\n--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`));
        else resolve(stdout);
      });
    });
  }

  /** Registers a payload file; returns its id (the SHA-256 of its bytes). */
  async payloadAdd(file: string): Promise<string> {
    return (await this.run([...CLI.payloadAdd, file])).trim();
  }

  async payloadList(): Promise<Payload[]> {
    return parseJson<Payload[]>(await this.run([...CLI.payloadList, CLI.json]), 'payload list');
  }

  async buildDecoys(namesFile: string, opts: { payloadId?: string } = {}): Promise<void> {
    await this.run([...CLI.decoysBuild, CLI.names, namesFile, ...(opts.payloadId ? [CLI.payload, opts.payloadId] : [])]);
  }

  async listDecoys(): Promise<DecoyRow[]> {
    return parseJson<DecoyRow[]>(await this.run([...CLI.decoysList, CLI.json]), 'decoys list');
  }

  /** Writes OUT/<infoHash>.torrent per decoy and OUT/magnets.txt, each naming `trackers`. */
  async exportDecoys(outDir: string, trackers: readonly string[]): Promise<ExportResult> {
    await this.run([...CLI.decoysExport, CLI.out, outDir, ...trackers.flatMap((t) => [CLI.tracker, t])]);
    const torrents = new Map<string, string>();
    for (const f of readdirSync(outDir)) {
      const m = /^([0-9a-f]{40})\.torrent$/.exec(f);
      if (m) torrents.set(m[1]!, join(outDir, f));
    }
    const magnets = readFileSync(join(outDir, 'magnets.txt'), 'utf8').split('\n').filter((l) => l.startsWith('magnet:'));
    return { torrents, magnets };
  }

  /** Starts `seed` and resolves on its ready line. */
  async startSeed(o: SeedOptions): Promise<SeedProcess> {
    const args = [
      MAIN, CLI.data, this.dataDir, ...CLI.seed,
      CLI.bind, o.bind, CLI.port, String(o.port),
      ...(o.trackerServerPort !== undefined ? [CLI.trackerServer, String(o.trackerServerPort)] : []),
      ...(o.trackers ?? []).flatMap((t) => [CLI.tracker, t]),
      ...(o.announceIntervalS !== undefined ? [CLI.announceInterval, String(o.announceIntervalS)] : []),
      ...(o.extra ?? []),
    ];
    const proc = new ManagedProcess(process.execPath, args, { cwd: REPO_ROOT });
    let ready: SeedReady;
    try {
      const m = await proc.waitForLine(CLI.readyLine, { timeoutMs: SEED_READY_TIMEOUT_MS, ...(o.signal ? { signal: o.signal } : {}) });
      ready = parseJson<SeedReady>(m[1]!, 'seed ready line');
    } catch (e) {
      await proc.stop('SIGKILL', 5_000);
      throw new CliError(`counterseed seed did not get ready: ${(e as Error).message}`);
    }
    return {
      ready,
      pid: proc.pid,
      describe: () => proc.describe(),
      stop: () => proc.stop('SIGTERM', SEED_STOP_GRACE_MS),
    };
  }

  async deliveries(filter: DeliveryFilter = {}): Promise<DeliveryObservation[]> {
    const args = [...CLI.deliveries, CLI.json,
      ...(filter.ip ? [CLI.ip, filter.ip] : []),
      ...(filter.decoyId !== undefined ? [CLI.decoy, String(filter.decoyId)] : []),
      ...(filter.since ? [CLI.since, filter.since.toISOString()] : [])];
    return parseJson<DeliveryObservation[]>(await this.run(args), 'deliveries');
  }
}

function parseJson<T>(text: string, what: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new CliError(`${what}: output is not JSON (${(e as Error).message}):\n${text.slice(0, 2000)}`);
  }
}

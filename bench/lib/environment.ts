/**
 * Where the benchmark runs: the isolation check it refuses to run without,
 * and the machine and versions printed beside the figures.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, networkInterfaces, release, totalmem } from 'node:os';
import { promisify } from 'node:util';

const run = promisify(execFile);
const VERSION_TIMEOUT_MS = 30_000;

export class NotIsolatedError extends Error {
  override name = 'NotIsolatedError';
}

/**
 * Real BitTorrent clients run only in a namespace that has nothing but `lo`
 * (scripts/netns-run.sh), where `addresses` were added to `lo`.
 */
export function assertIsolated(addresses: readonly string[]): void {
  const ifs = networkInterfaces();
  const others = Object.keys(ifs).filter((n) => n !== 'lo');
  const devs = readFileSync('/proc/net/dev', 'latin1').split('\n').slice(2).map((l) => l.split(':')[0]?.trim() ?? '').filter((n) => n !== '' && n !== 'lo');
  if (others.length > 0 || devs.length > 0) {
    throw new NotIsolatedError(`not in an isolated network namespace (interfaces: ${[...new Set([...others, ...devs])].join(', ')}); run: npm run bench:serve`);
  }
  const have = new Set((ifs.lo ?? []).map((a) => a.address));
  const missing = addresses.filter((a) => !have.has(a));
  if (missing.length > 0) throw new NotIsolatedError(`lo lacks ${missing.join(', ')}; run through scripts/netns-run.sh`);
}

export interface Machine {
  readonly nproc: number;
  readonly cpuModel: string;
  readonly memGB: number;
  readonly kernel: string;
  readonly node: string;
  readonly python: string;
  readonly libtorrent: string;
  readonly counterseed: string;
}

export async function describeMachine(cli: string, python: string, opts: { signal?: AbortSignal } = {}): Promise<Machine> {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'latin1');
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? 'unknown';
  const out = async (cmd: string, args: string[]) => {
    try {
      return (await run(cmd, args, { timeout: VERSION_TIMEOUT_MS, signal: opts.signal })).stdout.trim();
    } catch (e) { return `unknown (${(e as Error).message.split('\n')[0]})`; }
  };
  const [py, lt, cs] = await Promise.all([
    out(python, ['-c', 'import sys; print(sys.version.split()[0])']),
    out(python, ['-c', 'import libtorrent; print(libtorrent.__version__)']),
    out(process.execPath, [cli, '--version']),
  ]);
  return { nproc: availableParallelism(), cpuModel: model, memGB: Math.round(totalmem() / 1e9), kernel: release(), node: process.version, python: py, libtorrent: lt, counterseed: cs };
}

export function formatMachine(m: Machine): string {
  return `machine: ${m.nproc} CPUs (${m.cpuModel}), ${m.memGB} GB RAM, Linux ${m.kernel}\n` +
    `versions: counterseed ${m.counterseed} on Node ${m.node}; libtorrent ${m.libtorrent} on Python ${m.python}`;
}

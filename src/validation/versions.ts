/** Versions of everything that took part in a validation run, for the report (reproducibility). */
import { readFileSync } from 'node:fs';
import { run } from './proc.ts';

export interface ToolVersions {
  readonly counterseed: string;
  readonly gitCommit: string | null;
  readonly gitDirty: boolean | null;
  readonly node: string;
  readonly tshark: string | null;
  readonly dumpcap: string | null;
  readonly libtorrent: string | null;
  readonly transmission: string | null;
  readonly aria2: string | null;
  readonly kernel: string | null;
}

const ROOT = new URL('../../', import.meta.url).pathname;

async function firstLine(cmd: string, args: string[], pick: RegExp = /.+/): Promise<string | null> {
  try {
    const r = await run(cmd, args, { timeoutMs: 20_000, cwd: ROOT });
    if (r.code !== 0) return null;
    const m = `${r.stdout}\n${r.stderr}`.split('\n').map((l) => l.trim()).find((l) => pick.test(l));
    return m ?? null;
  } catch { return null; }
}

export async function collectVersions(): Promise<ToolVersions> {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
  const status = await firstLine('git', ['status', '--porcelain', '--untracked-files=no'], /.*/);
  return {
    counterseed: pkg.version ?? 'unknown',
    gitCommit: await firstLine('git', ['rev-parse', 'HEAD']),
    gitDirty: status === null ? null : status !== '',
    node: process.version,
    tshark: await firstLine('/usr/bin/tshark', ['--version'], /^TShark/),
    dumpcap: await firstLine('/usr/bin/dumpcap', ['--version'], /^Dumpcap/),
    libtorrent: await firstLine('/usr/bin/python3', ['-c', 'import libtorrent; print("libtorrent " + libtorrent.__version__)']),
    transmission: await firstLine('/usr/bin/transmission-daemon', ['--version'], /^transmission/i),
    aria2: await firstLine('/usr/bin/aria2c', ['--version'], /^aria2 version/),
    kernel: await firstLine('uname', ['-sr']),
  };
}

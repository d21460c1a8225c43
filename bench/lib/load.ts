/**
 * Drives bench/lib/lt_load.py: one python process, N libtorrent downloaders,
 * against one running seeder. The generator samples the seeder's /proc
 * counters itself (see lt_load.py for why) and reports one JSON line.
 */
import { Child, ChildError } from './child.ts';
import type { Crypto } from './options.ts';
import type { RunningSeeder } from './seeders.ts';

/** Set-up allowance on top of the level timeout: creating N sessions, settle, teardown. */
const OVERHEAD_MS = 120_000;

/** What lt_load.py prints (seconds and bytes as measured, nothing derived). */
export interface LoadSample {
  readonly n: number;
  readonly ok: number;
  readonly timedOut: boolean;
  readonly wallS: number;
  readonly bytesDelivered: number;
  readonly payloadBytesReceived: number;
  readonly seederCpuS: number;
  readonly seederCpuSettledS: number;
  readonly seederPeakRssBytes: number;
  /** Anonymous and file-backed resident memory after the settle pause (libtorrent maps the files it serves). */
  readonly seederRssAnonBytesAtEnd?: number | null;
  readonly seederRssFileBytesAtEnd?: number | null;
  readonly loadgenCpuS: number;
  /** Per downloader, from the first connection attempt of any of them. */
  readonly downloaderSeconds: readonly (number | null)[];
  readonly connectSeconds?: readonly (number | null)[];
  /** Announces the one-peer tracker stub answered. */
  readonly announces?: number;
  readonly errors: readonly string[];
}

export interface LoadInit {
  readonly python: string;
  readonly script: string;
  readonly torrents: readonly string[];
  readonly bindAddrs: readonly string[];
  readonly outDir: string;
  readonly timeoutS: number;
  readonly settleS: number;
  readonly crypto: Crypto;
}

export async function runLoad(seeder: RunningSeeder, n: number, init: LoadInit, opts: { signal?: AbortSignal } = {}): Promise<LoadSample> {
  const spec = {
    seeder: { host: seeder.host, port: seeder.port, pid: seeder.pid },
    torrents: init.torrents, n, bindAddrs: init.bindAddrs, outDir: init.outDir,
    timeoutS: init.timeoutS, settleS: init.settleS, crypto: init.crypto,
  };
  const child = new Child('lt_load.py', init.python, [init.script, JSON.stringify(spec)]);
  try {
    const m = await child.waitForLine(/^(\{.*\})\s*$/, init.timeoutS * 1000 + init.settleS * 1000 + OVERHEAD_MS, opts);
    const out = JSON.parse(m[1]!) as LoadSample | { error: string };
    if ('error' in out) throw new ChildError(`load generator: ${out.error}`);
    return out;
  } finally {
    await child.stop();
  }
}

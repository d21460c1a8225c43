/**
 * The two seeders under test, each started fresh for every measured level so
 * that its peak RSS (VmHWM) belongs to that level alone. Both get the same
 * number of upload slots, so neither is capped below the other.
 */
import { Child, ChildError } from './child.ts';
import type { BenchFixture } from './fixture.ts';
import type { LtProfile } from './options.ts';

export type SeederKind = 'counterseed' | 'libtorrent';
export const SEEDER_KINDS: readonly SeederKind[] = ['counterseed', 'libtorrent'];

/** Start-up includes opening the store (counterseed) or adding K torrents (libtorrent). */
const READY_TIMEOUT_MS = 60_000;

export interface RunningSeeder {
  readonly kind: SeederKind;
  readonly pid: number;
  readonly host: string;
  readonly port: number;
  /** Stops by PID; reports a non-clean exit (non-zero, killed) as text, or null. */
  stop(): Promise<string | null>;
}

export interface SeederInit {
  readonly fixture: BenchFixture;
  readonly host: string;
  /** Peers unchoked at once, and (x2) connections allowed. */
  readonly slots: number;
  /** bin/counterseed: the seeder runs as operators start it (compile cache, the launcher's V8 and malloc settings for seed). */
  readonly launcher: string;
  readonly ltSeedScript: string;
  readonly python: string;
  readonly ltProfile: LtProfile;
}

export async function startSeeder(kind: SeederKind, init: SeederInit, opts: { signal?: AbortSignal } = {}): Promise<RunningSeeder> {
  const child = kind === 'counterseed'
    ? new Child('counterseed seed', init.launcher, ['--data', init.fixture.dataDir, 'seed', '--bind', init.host, '--port', '0',
      '--upload-slots', String(init.slots), '--max-connections-per-ip', String(Math.min(init.slots, 1000)),
      // The downloaders share 198.18.0.0/24: the per-/24 limit (64 by default) must not cap N.
      '--max-connections', String(init.slots * 2), '--max-connections-per-prefix', String(init.slots * 2),
      // BENCH_SEED_ARGS: further seed flags for an A/B of one setting (e.g. "--old-space-growth 0").
      ...(process.env.BENCH_SEED_ARGS?.split(' ').filter(Boolean) ?? [])])
    : new Child('libtorrent reference seeder', init.python, [init.ltSeedScript, JSON.stringify({
      bind: init.host, saveDir: init.fixture.saveDir, torrents: init.fixture.decoys.map((d) => d.torrentPath), slots: init.slots, profile: init.ltProfile,
    })]);
  try {
    const m = await child.waitForLine(/^ready (\{.*\})\s*$/, READY_TIMEOUT_MS, opts);
    const ready = JSON.parse(m[1]!) as { peerPort?: number; port?: number; decoys?: number; torrents?: number };
    const port = kind === 'counterseed' ? ready.peerPort : ready.port;
    const count = kind === 'counterseed' ? ready.decoys : ready.torrents;
    if (typeof port !== 'number' || port <= 0) throw new ChildError(`${kind}: ready line has no port: ${m[0]}`);
    if (count !== init.fixture.decoys.length) throw new ChildError(`${kind}: serving ${count} decoys, expected ${init.fixture.decoys.length}`);
    return {
      kind, pid: child.pid, host: init.host, port,
      async stop() {
        const exit = await child.stop();
        if (exit.killed) return `${kind} did not stop within the grace period; killed`;
        if (exit.code !== 0) return `${kind} exited with ${exit.code ?? exit.signal}: ${child.stderr.slice(-1000)}`;
        return null;
      },
    };
  } catch (e) {
    await child.stop();
    throw e;
  }
}

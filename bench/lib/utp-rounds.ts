/**
 * Diagnostic aid for bench:utp at N=1 (issue 10): not a benchmark with a target (bench:utp is, against
 * libtorrent in the same run). ROUNDS fresh seeders of one KIND (counterseed or libtorrent) each serve one
 * MIB MiB download over uTP to one libtorrent downloader, and every round prints its wall and CPU time
 * beside what the kernel dropped in this namespace meanwhile: the UDP receive-buffer errors
 * (/proc/net/snmp) and, per socket, the drops counter of /proc/net/udp (the downloader is 198.18.0.2,
 * 020012C6 there; the seeder 198.18.0.1, 010012C6). A slow round with drops and ~0.5 s idle was a
 * retransmission timeout (bench/README.md, session 9).
 *
 *   KIND=counterseed ROUNDS=8 MIB=32 bash scripts/netns-run.sh node bench/lib/utp-rounds.ts
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { assertIsolated } from './environment.ts';
import { buildFixture } from './fixture.ts';
import { runLoad } from './load.ts';
import type { LtProfile } from './options.ts';
import { startSeeder, type SeederKind } from './seeders.ts';
import { defaultPayloadPath } from '../../src/payload/index.ts';

process.env.COUNTERSEED_BENCH_TRANSPORT = 'utp';
const REPO = resolve(import.meta.dirname, '../..');
const PYTHON = '/usr/bin/python3';
const kind = (process.env.KIND ?? 'counterseed') as SeederKind;
const rounds = Math.min(50, Number(process.env.ROUNDS ?? 8));
const mib = Math.min(1024, Number(process.env.MIB ?? 32));
const profile = (process.env.PROFILE ?? 'default') as LtProfile;
assertIsolated(['198.18.0.1', '198.18.0.2']);

/** The namespace's UDP receive-buffer errors so far. */
function rcvbufErrors(): number {
  const [names, values] = readFileSync('/proc/net/snmp', 'latin1').split('\n').filter((l) => l.startsWith('Udp:')).map((l) => l.split(/\s+/));
  return Number(values![names!.indexOf('RcvbufErrors')]);
}

/** Drops per local address:port of the UDP sockets open now (/proc/net/udp, last column). */
function socketDrops(into: Map<string, number>): void {
  for (const line of readFileSync('/proc/net/udp', 'latin1').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length > 12) into.set(f[1]!, Math.max(into.get(f[1]!) ?? 0, Number(f.at(-1))));
  }
}

const root = mkdtempSync(join(tmpdir(), 'counterseed-utp-rounds-'));
try {
  const fixture = await buildFixture({ root, cli: join(REPO, 'src/cli/main.ts'), video: defaultPayloadPath(), sizeBytes: mib << 20, decoys: 1 });
  for (let r = 0; r < rounds; r++) {
    const seeder = await startSeeder(kind, {
      fixture, host: '198.18.0.1', slots: 64, launcher: join(REPO, 'bin/counterseed'),
      ltSeedScript: join(REPO, 'bench/lib/lt_ref_seed.py'), python: PYTHON, ltProfile: profile,
    });
    const drops = new Map<string, number>();
    // The downloader's socket exists only during the round: sample it every 20 ms.
    const poll = setInterval(() => socketDrops(drops), 20);
    const before = rcvbufErrors();
    const outDir = join(root, `dl-${r}`);
    mkdirSync(outDir);
    try {
      const s = await runLoad(seeder, 1, {
        python: PYTHON, script: join(REPO, 'bench/lib/lt_load.py'), torrents: fixture.decoys.map((d) => d.torrentPath),
        bindAddrs: ['198.18.0.2'], outDir, timeoutS: 120, settleS: 1, crypto: 'plain',
      });
      const perSocket = [...drops].filter(([, n]) => n > 0).map(([a, n]) => `${a} ${n}`).join(', ') || 'none';
      process.stdout.write(`${kind} round ${r + 1}: ${s.ok}/1 in ${s.wallS.toFixed(2)} s, seeder CPU ${s.seederCpuS.toFixed(2)} s, ` +
        `UDP receive-buffer errors ${rcvbufErrors() - before} (per socket: ${perSocket}), load ${loadavg()[0]!.toFixed(1)}\n`);
    } finally {
      clearInterval(poll);
      await seeder.stop();
      rmSync(outDir, { recursive: true, force: true });
    }
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}

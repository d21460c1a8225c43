import { openContext } from '../../node/context.ts';
import { compactHeap } from '../../node/compact-heap.ts';
import { withDataDirLock } from '../../node/data-dir-lock.ts';
import { startSeedNode } from '../../node/seed-node.ts';
import type { RecorderReport } from '../../observation/recorder.ts';
import type { Command } from '../command.ts';

/** Exit code when observations or drop counts could not be written before exit (sysexits EX_IOERR); see README. */
export const EXIT_EVIDENCE_LOST = 74;

const byKind = (r: Readonly<Record<string, number>>) => Object.entries(r).map(([k, n]) => `${k} ${n}`).join(', ');
const total = (r: Readonly<Record<string, number>>) => Object.values(r).reduce((a, b) => a + b, 0);

/** The last line(s) of a run: every loss with its number; "0 dropped" only when nothing was. */
export function stopLines(r: RecorderReport): string[] {
  const dropped = total(r.dropped);
  const lines = [`stopped; ${r.written} observations written, ${dropped} dropped${dropped ? ` (${byKind(r.dropped)}; queue full)` : ''}${r.quarantined ? `, ${r.quarantined} quarantined` : ''}`];
  const unwritten = total(r.unwritten);
  if (unwritten > 0) lines.push(`NOT WRITTEN: ${unwritten} observations (${byKind(r.unwritten)}) were still held when the node stopped; the store was failing: ${r.fault ?? 'unknown error'}`);
  if (total(r.countersUnwritten) > 0) lines.push(`NOT WRITTEN: counters ${byKind(r.countersUnwritten)} could not be stored; these numbers are only here`);
  return lines;
}

export const seed: Command = {
  name: 'seed',
  summary: 'Serve every active decoy upload-only on one port until SIGINT/SIGTERM; record every delivery',
  settings: ['bind', 'port', 'trackers', 'trackerServerPort', 'announceIntervalS', 'maxConnections', 'maxConnectionsPerIp',
    'uploadSlots', 'uploadRate', 'handshakeTimeoutMs', 'idleTimeoutMs', 'maxRequestQueue', 'allowPlaintext', 'peerIdPrefix', 'clientVersion',
    'queueCapacity', 'flushIntervalMs', 'unchokeRotationMs', 'progressIntervalMs', 'progressBytes',
    // Issue 17: flood budgets (aggregate records) and per-network connection limits.
    'maxConnectionsPerPrefix', 'recordsPerSecond', 'recordsPerSourcePerSecond', 'aggregateBuckets',
    // Issue 4: several addresses, the DHT.
    'addresses', 'dhtEnabled', 'dhtPort', 'dhtBootstrap', 'dhtPublicBootstrap', 'dhtReadOnly', 'dhtCycleS', 'dhtJitterPercent', 'dhtQueryRate', 'dhtPerNodeRate',
    'campaignTickS', 'networks'],
  async run(_args, io) {
    // One data directory, one writer: locked before the database is opened (exit 75 if another node holds it).
    return withDataDirLock(io.settings.dataDir, 'seed', async () => {
      const ctx = openContext(io.settings, io.err);
      try {
        if (io.settings.mode === 'live') io.err('LIVE MODE: external trackers will be contacted and peers on the internet served.');
        // SIGINT/SIGTERM during start-up stops what has started (nothing stays bound) and ends cleanly.
        const node = await startSeedNode(ctx, { signal: io.signal }).catch((e: unknown) => { if (io.signal.aborted) return undefined; throw e; });
        if (!node) { io.err('stopped during start-up'); return 0; }
        // The load's garbage is gone; give its freed heap pages back before serving (~20 MB with 100,000 decoys).
        compactHeap();
        // One machine-readable line for scripts and tests, then human-readable lines on stderr.
        io.out(`ready ${JSON.stringify({ peerPort: node.info.peerPort, peerHost: node.info.peerHost, trackerHttp: node.info.trackerHttp, trackerUdp: node.info.trackerUdp, decoys: node.info.decoys })}`);
        io.err(`serving ${node.info.decoys} decoys on ${node.info.peerHost}:${node.info.peerPort} (${io.settings.mode} mode); stop with Ctrl-C`);
        if (!io.signal.aborted) await new Promise<void>((r) => io.signal.addEventListener('abort', () => r(), { once: true }));
        io.err('stopping: announcing stopped, closing connections, writing observations…');
        const report = await node.stop();
        for (const line of stopLines(report)) io.err(line);
        const lost = total(report.unwritten) + total(report.countersUnwritten) > 0;
        if (lost) return EXIT_EVIDENCE_LOST;
        return 0;
      } finally { await ctx.close(); }
    });
  },
};

import { withLockedContext } from '../../app/context.ts';
import { serveUntil, type RecorderReport } from '../../app/node.ts';
import type { Command } from '../command.ts';
import { EXIT } from '../exit-codes.ts';

/** Exit code when observations or drop counts could not be written before exit (sysexits EX_IOERR); see README. */
export const EXIT_EVIDENCE_LOST = EXIT.evidenceLost;

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
  data: 'create',
  summary: 'Serve every active decoy upload-only on one port until SIGINT/SIGTERM; record every delivery',
  settings: ['bind', 'port', 'trackers', 'trackerServerPort', 'announceIntervalS', 'maxConnections', 'maxConnectionsPerIp',
    'uploadSlots', 'uploadRate', 'handshakeTimeoutMs', 'idleTimeoutMs', 'maxRequestQueue', 'allowPlaintext', 'utp', 'peerIdPrefix', 'clientVersion',
    'queueCapacity', 'flushIntervalMs', 'unchokeRotationMs', 'progressIntervalMs', 'progressBytes',
    // Issue 17: flood budgets (aggregate records) and per-network connection limits.
    'maxConnectionsPerPrefix', 'recordsPerSecond', 'recordsPerSourcePerSecond', 'aggregateBuckets',
    // Issue 4: several addresses, the DHT.
    'addresses', 'dhtEnabled', 'dhtPort', 'dhtBootstrap', 'dhtPublicBootstrap', 'dhtReadOnly', 'dhtCycleS', 'dhtJitterPercent', 'dhtQueryRate', 'dhtPerNodeRate',
    'campaignTickS', 'networks',
    // Issue 15 item 11: config docs listed these as flags, and every command called them unknown.
    'checkpointEvery', 'checkpointIntervalS', 'clockCheckIntervalS', 'ntpServer', 'ntpMaxOffsetMs'],
  async run(_args, io) {
    // One data directory, one writer: locked before the database is opened (exit 75 if another node holds it).
    return withLockedContext(io.settings, 'seed', io.err, async (ctx) => {
      if (io.settings.mode === 'live') io.err('LIVE MODE: external trackers will be contacted and peers on the internet served.');
      const report = await serveUntil(ctx, {
        signal: io.signal,
        onReady: (info) => {
          // One machine-readable line for scripts and tests, then human-readable lines on stderr.
          io.out(`ready ${JSON.stringify({ peerPort: info.peerPort, peerHost: info.peerHost, trackerHttp: info.trackerHttp, trackerUdp: info.trackerUdp, decoys: info.decoys })}`);
          io.err(`serving ${info.decoys} decoys on ${info.peerHost}:${info.peerPort} (${io.settings.mode} mode); stop with Ctrl-C`);
        },
        onStopping: () => io.err('stopping: announcing stopped, closing connections, writing observations…'),
      });
      if (!report) { io.err('stopped during start-up'); return 0; }
      for (const line of stopLines(report)) io.err(line);
      return total(report.unwritten) + total(report.countersUnwritten) > 0 ? EXIT_EVIDENCE_LOST : 0;
    });
  },
};

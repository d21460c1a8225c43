import { withLockedContext } from '../../app/context.ts';
import { serveUntil, type NodeStatus, type RecorderReport } from '../../app/node.ts';
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

/** The periodic status line: what the node did since it started. */
export function statusLine(s: NodeStatus): string {
  return `status: ${s.connections} connections, ${s.deliveries} deliveries (${(s.bytesServed / 1e6).toFixed(1)} MB served), ${s.announces} announces, ${s.dropped} dropped, ${s.written} observations written`;
}

/**
 * Every seed log line starts with its UTC time, ISO 8601 with Z (issue 15 item 12: the log had no
 * times). A log line that already ends a record (stdout's `ready {...}`) is not touched.
 */
export const stamped = (write: (t: string) => void, now: () => number = Date.now) => (m: string) => {
  const at = new Date(now()).toISOString();
  write(m.split('\n').map((l) => `${at} ${l}`).join('\n'));
};

export const seed: Command = {
  name: 'seed',
  data: 'create',
  summary: 'Serve every active decoy upload-only on one port until SIGINT/SIGTERM; record every delivery',
  settings: ['bind', 'port', 'trackers', 'trackerServerPort', 'announceIntervalS', 'maxConnections', 'maxConnectionsPerIp',
    'uploadSlots', 'uploadRate', 'handshakeTimeoutMs', 'idleTimeoutMs', 'maxRequestQueue', 'allowPlaintext', 'utp', 'clientProfile', 'peerIdPrefix', 'clientVersion', 'advertisedRequestQueue',
    'queueCapacity', 'flushIntervalMs', 'unchokeRotationMs', 'progressIntervalMs', 'progressBytes',
    // Issue 17: flood budgets (aggregate records) and per-network connection limits.
    'maxConnectionsPerPrefix', 'recordsPerSecond', 'recordsPerSourcePerSecond', 'aggregateBuckets',
    // Issue 4: several addresses, the DHT.
    'addresses', 'dhtEnabled', 'dhtPort', 'dhtBootstrap', 'dhtPublicBootstrap', 'dhtReadOnly', 'dhtCycleS', 'dhtJitterPercent', 'dhtQueryRate', 'dhtPerNodeRate',
    'campaignTickS', 'networks', 'statusIntervalS',
    // Issue 10 item 5: the old space's growth between full GCs (node/old-space-growth.ts).
    'oldSpaceGrowth',
    // Issue 12: the centre this node ships its evidence to.
    'centreUrl',
    // Issue 15 item 11: config docs listed these as flags, and every command called them unknown.
    'checkpointEvery', 'checkpointIntervalS', 'clockCheckIntervalS', 'ntpServer', 'ntpMaxOffsetMs'],
  async run(_args, io) {
    const log = stamped(io.err);
    // One data directory, one writer: locked before the database is opened (exit 75 if another node holds it).
    return withLockedContext(io.settings, 'seed', log, async (ctx) => {
      if (io.settings.mode === 'live') log('LIVE MODE: external trackers will be contacted and peers on the internet served.');
      const report = await serveUntil(ctx, {
        signal: io.signal,
        onReady: (info) => {
          // One machine-readable line for scripts and tests, then human-readable lines on stderr.
          io.out(`ready ${JSON.stringify({ peerPort: info.peerPort, peerHost: info.peerHost, trackerHttp: info.trackerHttp, trackerUdp: info.trackerUdp, decoys: info.decoys })}`);
          log(`serving ${info.decoys} decoys on ${info.peerHost}:${info.peerPort} (${io.settings.mode} mode); stop with Ctrl-C`);
        },
        onStopping: () => log('stopping: announcing stopped, closing connections, writing observations…'),
        onStatus: (s) => log(statusLine(s)), statusEveryMs: io.settings.statusIntervalS * 1000,
      });
      if (!report) { log('stopped during start-up'); return 0; }
      for (const line of stopLines(report)) log(line);
      return total(report.unwritten) + total(report.countersUnwritten) > 0 ? EXIT_EVIDENCE_LOST : 0;
    });
  },
};

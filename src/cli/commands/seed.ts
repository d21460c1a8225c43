import { withContext } from '../../app/context.ts';
import { serveUntil } from '../../app/node.ts';
import type { Command } from '../command.ts';

export const seed: Command = {
  name: 'seed',
  data: 'create',
  summary: 'Serve every active decoy upload-only on one port until SIGINT/SIGTERM; record every delivery',
  settings: ['bind', 'port', 'trackers', 'trackerServerPort', 'announceIntervalS', 'maxConnections', 'maxConnectionsPerIp',
    'uploadSlots', 'uploadRate', 'handshakeTimeoutMs', 'idleTimeoutMs', 'maxRequestQueue', 'allowPlaintext', 'peerIdPrefix', 'clientVersion',
    'queueCapacity', 'flushIntervalMs', 'unchokeRotationMs',
    // Issue 4: several addresses, the DHT.
    'addresses', 'dhtEnabled', 'dhtPort', 'dhtBootstrap', 'dhtPublicBootstrap', 'dhtReadOnly', 'dhtCycleS', 'dhtJitterPercent', 'dhtQueryRate', 'dhtPerNodeRate',
    'campaignTickS'],
  async run(_args, io) {
    await withContext(io.settings, io.err, async (ctx) => {
      if (io.settings.mode === 'live') io.err('LIVE MODE: external trackers will be contacted and peers on the internet served.');
      const r = await serveUntil(ctx, {
        signal: io.signal,
        onReady: (info) => {
          // One machine-readable line for scripts and tests, then human-readable lines on stderr.
          io.out(`ready ${JSON.stringify({ peerPort: info.peerPort, peerHost: info.peerHost, trackerHttp: info.trackerHttp, trackerUdp: info.trackerUdp, decoys: info.decoys })}`);
          io.err(`serving ${info.decoys} decoys on ${info.peerHost}:${info.peerPort} (${io.settings.mode} mode); stop with Ctrl-C`);
        },
        onStopping: () => io.err('stopping: announcing stopped, closing connections, writing observations…'),
      });
      io.err(`stopped; ${r.written} observations written, ${r.dropped} dropped`);
    });
  },
};

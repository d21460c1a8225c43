import { openContext } from '../../node/context.ts';
import { compactHeap } from '../../node/compact-heap.ts';
import { startSeedNode } from '../../node/seed-node.ts';
import type { Command } from '../command.ts';

export const seed: Command = {
  name: 'seed',
  summary: 'Serve every active decoy upload-only on one port until SIGINT/SIGTERM; record every delivery',
  settings: ['bind', 'port', 'trackers', 'trackerServerPort', 'announceIntervalS', 'maxConnections', 'maxConnectionsPerIp',
    'uploadSlots', 'uploadRate', 'handshakeTimeoutMs', 'idleTimeoutMs', 'maxRequestQueue', 'allowPlaintext', 'peerIdPrefix', 'clientVersion',
    'queueCapacity', 'flushIntervalMs', 'unchokeRotationMs',
    // Issue 4: several addresses, the DHT.
    'addresses', 'dhtEnabled', 'dhtPort', 'dhtBootstrap', 'dhtPublicBootstrap', 'dhtReadOnly', 'dhtCycleS', 'dhtJitterPercent', 'dhtQueryRate', 'dhtPerNodeRate',
    'campaignTickS', 'networks'],
  async run(_args, io) {
    const ctx = openContext(io.settings, io.err);
    try {
      if (io.settings.mode === 'live') io.err('LIVE MODE: external trackers will be contacted and peers on the internet served.');
      // SIGINT/SIGTERM during start-up stops what has started (nothing stays bound) and ends cleanly.
      const node = await startSeedNode(ctx, { signal: io.signal }).catch((e: unknown) => { if (io.signal.aborted) return undefined; throw e; });
      if (!node) { io.err('stopped during start-up'); return; }
      // The load's garbage is gone; give its freed heap pages back before serving (~20 MB with 100,000 decoys).
      compactHeap();
      // One machine-readable line for scripts and tests, then human-readable lines on stderr.
      io.out(`ready ${JSON.stringify({ peerPort: node.info.peerPort, peerHost: node.info.peerHost, trackerHttp: node.info.trackerHttp, trackerUdp: node.info.trackerUdp, decoys: node.info.decoys })}`);
      io.err(`serving ${node.info.decoys} decoys on ${node.info.peerHost}:${node.info.peerPort} (${io.settings.mode} mode); stop with Ctrl-C`);
      if (!io.signal.aborted) await new Promise<void>((r) => io.signal.addEventListener('abort', () => r(), { once: true }));
      io.err('stopping: announcing stopped, closing connections, writing observations…');
      await node.stop();
      io.err(`stopped; ${node.recorder.written} observations written, ${node.bus.droppedTotal} dropped`);
    } finally { await ctx.close(); }
  },
};

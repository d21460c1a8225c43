import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSettings } from '../../../src/config/load.ts';
import { runLab } from '../../../src/lab/lab.ts';
import { openContext, openSqliteStore } from '../../../src/node/context.ts';

/** A port number free for TCP and for UDP: the peer port serves uTP on UDP at the same number (issue 10). */
async function freePort(): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    const s = createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
    const port = (s.address() as { port: number }).port;
    await new Promise<void>((r) => s.close(() => r()));
    const u = createSocket('udp4');
    const udpFree = await new Promise<boolean>((r) => { u.once('error', () => r(false)); u.bind(port, '127.0.0.1', () => r(true)); });
    await new Promise<void>((r) => { try { u.close(() => r()); } catch { r(); } });
    if (udpFree || attempt >= 20) return port;
  }
}

async function canBind(port: number): Promise<boolean> {
  const s = createServer();
  return new Promise((resolve) => {
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

test('runLab stops its node when the run fails after start-up (here: the swarm refuses its configuration)', async () => {
  const data = mkdtempSync(join(tmpdir(), 'cs-lab-stop-'));
  const [port, trackerPort] = [await freePort(), await freePort()];
  const ctx = openContext(loadSettings({ flags: { dataDir: data, port: String(port), trackerServerPort: String(trackerPort), announceIntervalS: '5' }, env: {} }), () => {}, openSqliteStore, 'lab');
  try {
    // No source addresses: the swarm refuses its configuration (LabConfigError) after the node has started.
    await assert.rejects(runLab(ctx, { durationS: 5, downloaders: 1, concurrency: 1, decoys: 1, sources: 0 }, {
      signal: new AbortController().signal, log: () => {},
    }), { name: 'LabConfigError' });
    assert.ok(await canBind(port), 'the peer port is free: the node was stopped');
    assert.ok(await canBind(trackerPort), 'the tracker port is free');
  } finally {
    await ctx.close();
    rmSync(data, { recursive: true, force: true });
  }
});

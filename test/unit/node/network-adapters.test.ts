import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSettings } from '../../../src/config/load.ts';
import type { SettingName } from '../../../src/config/settings.ts';
import { buildDecoys } from '../../../src/decoy/builder.ts';
import type { Decoy } from '../../../src/domain/decoy.ts';
import { openContext, type Context } from '../../../src/node/context.ts';
import { startSeedNode } from '../../../src/node/seed-node.ts';
import { DEFAULT_PAYLOAD_ID } from '../../../src/payload/index.ts';
import { FailingAdapter, LoopbackAdapter, loopbackGet } from '../../helpers/loopback-adapter.ts';

/** A TCP port nobody listens on right now (the kernel's pick, released at once). */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Whether a TCP port on 127.0.0.1 can be bound now: false while a node still listens on it. */
async function canBind(port: number): Promise<boolean> {
  const s = createServer();
  return new Promise((resolve) => {
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

async function withNodeContext(flags: Partial<Record<SettingName, string | string[]>>, fn: (ctx: Context, decoy: Decoy) => Promise<void>): Promise<void> {
  const data = mkdtempSync(join(tmpdir(), 'cs-adapters-'));
  const ctx = openContext(loadSettings({ flags: { dataDir: data, ...flags }, env: {} }), () => {});
  try {
    const payload = ctx.payloads.get(DEFAULT_PAYLOAD_ID);
    const [decoy] = await ctx.store.insertDecoys(buildDecoys([{ line: 1, name: 'holiday-video-0042.mp4', size: null }], payload, ctx.payloadSource(payload.id)), Date.now());
    await fn(ctx, decoy!);
  } finally {
    await ctx.close();
    rmSync(data, { recursive: true, force: true });
  }
}

test('a second network plugs in through NetworkAdapter alone: it starts after BitTorrent, serves the decoy, and its deliveries reach the store', async () => {
  await withNodeContext({ port: '0', trackerServerPort: '0', networks: ['bittorrent', 'loopback'] }, async (ctx, decoy) => {
    let lb: LoopbackAdapter | undefined;
    const node = await startSeedNode(ctx, { log: () => {}, networks: { loopback: (c) => (lb = new LoopbackAdapter(c)) } });
    let stopped = false;
    try {
      assert.ok(lb && lb.port > 0);
      assert.deepEqual(node.adapters.adapters.map((a) => a.network), ['bittorrent', 'loopback']);
      assert.ok(node.info.peerPort > 0, 'BitTorrent still serves');
      const bytes = await loopbackGet(lb.port, decoy.infoHash);
      assert.ok(Buffer.from(ctx.payloads.bytes(DEFAULT_PAYLOAD_ID)).equals(bytes), 'the loopback network served the decoy content');
      assert.deepEqual(node.health().map((h) => [h.network, h.running, h.decoys]), [['bittorrent', true, 1], ['loopback', true, 1]]);
      assert.match(lb.address(decoy).link, /^loopback:\/\//);
      const bt = node.adapters.adapters[0]!.address(decoy);
      assert.equal(bt.contentId, `btih:${decoy.infoHash}`);
      assert.ok(bt.link.startsWith(`magnet:?xt=urn:btih:${decoy.infoHash}&dn=`) && bt.link.includes(`&tr=${encodeURIComponent(node.info.trackerHttp!)}`), bt.link);
      await node.stop();
      stopped = true;
      assert.equal(lb.stops, 1);
      const deliveries = await ctx.store.queryDeliveries({ decoyId: decoy.id });
      assert.deepEqual(deliveries.map((d) => [d.client, d.bytesServed, d.completed]), [['loopback-test', decoy.size, true]]);
    } finally { if (!stopped) await node.stop(); }
  });
});

test('an adapter that fails to start rolls back the ones started before it (BitTorrent and the loopback network), and start-up rejects', async () => {
  const [port, trackerPort] = [await freePort(), await freePort()];
  await withNodeContext({ port: String(port), trackerServerPort: String(trackerPort), networks: ['bittorrent', 'loopback', 'failing'] }, async (ctx) => {
    let lb: LoopbackAdapter | undefined;
    let failing: FailingAdapter | undefined;
    const logs: string[] = [];
    await assert.rejects(startSeedNode(ctx, {
      log: (m) => logs.push(m), networks: { loopback: (c) => (lb = new LoopbackAdapter(c)), failing: () => (failing = new FailingAdapter()) },
    }), /failing adapter: cannot bind/);
    assert.equal(lb?.starts, 1);
    assert.equal(lb?.stops, 1, 'the loopback adapter was stopped');
    assert.equal(failing?.stops, 1);
    assert.ok(await canBind(port), 'the BitTorrent peer port is free again');
    assert.ok(await canBind(trackerPort), 'the tracker port is free again');
    assert.ok(logs.some((l) => /failing: start failed/.test(l)), logs.join('\n'));
    // Nothing half-running: the same ports serve a node started afterwards.
    const again = await startSeedNode(ctx, { log: () => {}, networks: { loopback: (c) => new LoopbackAdapter(c), failing: () => new FailingAdapter() } }).catch((e: Error) => e);
    assert.ok(again instanceof Error);
    const ok = await startSeedNode({ ...ctx, settings: { ...ctx.settings, networks: ['bittorrent'] } }, { log: () => {} });
    assert.equal(ok.info.peerPort, port);
    await ok.stop();
  });
});

test('BitTorrent: the tracker port taken stops the seeder already listening; start-up rejects with the bind error', async () => {
  const port = await freePort();
  const taken = createServer();
  await new Promise<void>((r) => taken.listen(0, '127.0.0.1', () => r()));
  const trackerPort = (taken.address() as { port: number }).port;
  try {
    await withNodeContext({ port: String(port), trackerServerPort: String(trackerPort) }, async (ctx) => {
      await assert.rejects(startSeedNode(ctx, { log: () => {} }), { name: 'BusyError', exitCode: 75, message: `tracker port 127.0.0.1:${trackerPort}: address already in use` });
      assert.ok(await canBind(port), 'the peer port is free again');
    });
  } finally { await new Promise<void>((r) => taken.close(() => r())); }
});

test('BitTorrent: a DHT bind that fails stops the tracker and the seeder already started', async () => {
  const [port, trackerPort] = [await freePort(), await freePort()];
  const udp = createSocket('udp4');
  await new Promise<void>((r) => udp.bind(0, '127.0.0.1', () => r()));
  try {
    await withNodeContext({ port: String(port), trackerServerPort: String(trackerPort), dhtEnabled: 'true', dhtPort: String(udp.address().port) }, async (ctx) => {
      await assert.rejects(startSeedNode(ctx, { log: () => {} }), { name: 'BusyError', exitCode: 75, message: `DHT port ${udp.address().port}: address already in use` });
      assert.ok(await canBind(port), 'the peer port is free again');
      assert.ok(await canBind(trackerPort), 'the tracker port is free again');
    });
  } finally { udp.close(); }
});

test('aborting start-up stops every network started so far and rejects with the abort reason', async () => {
  const [port, trackerPort] = [await freePort(), await freePort()];
  await withNodeContext({ port: String(port), trackerServerPort: String(trackerPort), networks: ['bittorrent', 'loopback'] }, async (ctx) => {
    const ac = new AbortController();
    const reason = new Error('operator pressed Ctrl-C');
    let lb: LoopbackAdapter | undefined;
    await assert.rejects(startSeedNode(ctx, {
      log: () => {}, signal: ac.signal,
      // The abort arrives while the second network starts: both are up when start-up sees it.
      networks: { loopback: (c) => { lb = new LoopbackAdapter(c); const start = lb.start.bind(lb); lb.start = async (s) => { await start(s); ac.abort(reason); }; return lb; } },
    }), (e) => e === reason);
    assert.equal(lb?.stops, 1);
    assert.ok(await canBind(port), 'the peer port is free again');
    assert.ok(await canBind(trackerPort), 'the tracker port is free again');
  });
});

test('an unknown network name is bad input before anything starts', async () => {
  await withNodeContext({ port: '0', networks: ['bittorrent', 'ed2k'] }, async (ctx) => {
    await assert.rejects(startSeedNode(ctx, { log: () => {} }), (e: Error & { exitCode?: number }) => /unknown network "ed2k" \(known: bittorrent\)/.test(e.message) && e.exitCode === 2);
  });
});

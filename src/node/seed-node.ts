import { randomBytes } from 'node:crypto';
import type { Observation } from '../domain/observation.ts';
import { infoHashFromHex } from '../domain/info-hash.ts';
import type { AnnounceScheduler } from '../bittorrent/tracker/client/scheduler.ts';
import type { TrackerServer } from '../bittorrent/tracker/server/tracker-server.ts';
import { Seeder } from '../bittorrent/seeder/seeder.ts';
import { TorrentIndex } from '../bittorrent/seeder/torrent-index.ts';
import { ObservationBus } from '../observation/bus.ts';
import { ObservationRecorder } from '../observation/recorder.ts';
import { startNodeEvidence } from '../evidence/node-evidence.ts';
import { DhtService } from '../bittorrent/dht/dht-service.ts';
import type { Context } from './context.ts';
import { startCampaignSync } from '../campaign/node-sync.ts';

export interface SeedNodeInfo {
  peerHost: string;
  peerPort: number;
  trackerHttp?: string;
  trackerUdp?: string;
  decoys: number;
  peerId: string;
}

export interface SeedNode {
  readonly info: SeedNodeInfo;
  readonly bus: ObservationBus;
  readonly recorder: ObservationRecorder;
  /** Resolves once every decoy has been announced to every tracker at least once (no-op without trackers). */
  announced(opts?: { signal?: AbortSignal }): Promise<void>;
  /** The DHT nodes and announce schedulers (when dht.enabled). */
  readonly dht?: DhtService;
  /** Runs one campaign step and serves/stops decoys accordingly (the timer does this every campaign.tickInterval). */
  syncCampaigns(): Promise<void>;
  /** Stops announcing (event=stopped), closes every peer connection, writes every observation. */
  stop(): Promise<void>;
}

/**
 * THE composition root for a running node: every collaborator is built and wired here,
 * in dependency order, and torn down in reverse.
 */
export async function startSeedNode(ctx: Context, opts: { log?: (m: string) => void } = {}): Promise<SeedNode> {
  const s = ctx.settings;
  const log = opts.log ?? ctx.log;
  const now = Date.now;
  const bus = new ObservationBus({ capacity: s.queueCapacity });
  const recorder = new ObservationRecorder({ bus, store: ctx.store, log }, { flushIntervalMs: s.flushIntervalMs });
  const publish = (o: Observation) => { bus.publish(o); };

  const index = new TorrentIndex({ sourceFor: (d) => ctx.sourceFor(d), loadInfo: (d) => ctx.decoyInfo(d.id) });
  // Paged, compact load: 100,000 decoys never sit in memory with their info dicts at once, and a page
  // of 250 rows dies young in a small new space (pages of 10,000 outlived scavenges: the old space grew
  // by ~40 MB of garbage during the load, and V8 keeps such freed pages pooled and resident).
  const payloadIds = new Set<string>();
  await ctx.store.bulkRead(async () => {
    index.reserve(await ctx.store.countServedDecoys());
    for (let afterId = 0, page; (page = await ctx.store.listServedDecoys({ afterId, limit: 250 })).length > 0; afterId = page.at(-1)!.id) {
      for (const d of page) { index.add(d); payloadIds.add(d.payloadId); }
    }
  });
  // Fail at start-up, not on the first request, if a payload file was altered on disk.
  for (const id of payloadIds) ctx.payloadSource(id);

  const peerId = new Uint8Array(Buffer.concat([Buffer.from(s.peerIdPrefix, 'latin1'), randomBytes(12)]));
  const seederInit = {
    host: s.bind, port: s.port, peerId, clientVersion: s.clientVersion,
    maxConnections: s.maxConnections, maxConnectionsPerIp: s.maxConnectionsPerIp, uploadSlots: s.uploadSlots,
    uploadRate: s.uploadRate, unchokeRotationMs: s.unchokeRotationMs, handshakeTimeoutMs: s.handshakeTimeoutMs,
    idleTimeoutMs: s.idleTimeoutMs, maxRequestQueue: s.maxRequestQueue, allowPlaintext: s.allowPlaintext,
  };
  const seeder = new Seeder(seederInit, { index, publish, now, log });

  // Evidence first: every observation is chained, the clock recorded and checkpoints signed from the first byte served.
  const evidence = await startNodeEvidence({ store: ctx.store, settings: s, log });
  recorder.start();
  const listening = await seeder.start();
  // Every further address this node owns gets a listener on the same port number, same index.
  const extraSeeders = s.addresses.filter((a) => a !== s.bind).map((host) => new Seeder({ ...seederInit, host, port: listening.port }, { index, publish, now, log }));
  for (const x of extraSeeders) await x.start();

  let tracker: TrackerServer | undefined;
  let trackerUrls: { httpUrl?: string; udpUrl?: string } = {};
  if (s.trackerServerPort >= 0) {
    // Tracker code is loaded only when used: its node:http costs a DHT-only node ~10 MB of RSS.
    const { TrackerServer } = await import('../bittorrent/tracker/server/tracker-server.ts');
    tracker = new TrackerServer({
      host: s.bind, httpPort: s.trackerServerPort, udpPort: s.trackerServerPort,
      lookup: (hex) => index.get(hex)?.decoy.id ?? null,
      onAnnounce: publish, intervalSeconds: s.announceIntervalS, now,
    });
    trackerUrls = await tracker.start();
  }

  const announceTo = [...s.trackers, ...(trackerUrls.httpUrl ? [trackerUrls.httpUrl] : [])];
  let scheduler: AnnounceScheduler | undefined;
  if (announceTo.length > 0) {
    const { AnnounceScheduler } = await import('../bittorrent/tracker/client/scheduler.ts');
    scheduler = new AnnounceScheduler({
      peerId, port: listening.port, localAddress: s.bind, minIntervalMs: s.announceIntervalS * 1000,
      onResult: (r) => { if (!r.ok) log(`announce to ${r.tracker} failed: ${r.error}`); },
    });
    for (const d of index.decoys()) scheduler.add({ infoHash: infoHashFromHex(d.infoHash), trackers: announceTo });
    scheduler.start();
  }

  // A DHT node per address; every active decoy scheduled for announce (new ones first).
  let dht: DhtService | undefined;
  if (s.dhtEnabled) {
    dht = new DhtService({
      mode: s.mode, addresses: [listening.host, ...s.addresses.filter((a) => a !== s.bind)].map((host) => ({ host, peerPort: listening.port })),
      port: s.dhtPort, bootstrap: s.dhtBootstrap, publicBootstrap: s.dhtPublicBootstrap, readOnly: s.dhtReadOnly,
      cycleMs: s.dhtCycleS * 1000, jitter: s.dhtJitterPercent / 100, queriesPerSecond: s.dhtQueryRate, perNodePerSecond: s.dhtPerNodeRate,
    }, { now, decoyFor: (hex) => index.get(hex)?.decoy.id ?? null, publish, log });
    await dht.start();
    dht.reserve(index.size);
    for (const d of index.decoys()) dht.add(d.infoHash, d.id);
  }

  // One timer steps the campaigns and serves/announces new decoys, stops retired ones.
  const campaigns = startCampaignSync(ctx, index, {
    intervalMs: s.campaignTickS * 1000, now, log,
    onAdded: (d) => { const t = index.get(d.infoHash); if (t) scheduler?.add({ infoHash: t.infoHash, trackers: announceTo }); dht?.add(d.infoHash, d.id); },
    onRemoved: (d) => { scheduler?.remove(Buffer.from(d.infoHash, 'hex')); dht?.remove(d.infoHash); },
  });

  const info: SeedNodeInfo = {
    peerHost: listening.host, peerPort: listening.port, decoys: index.size, peerId: Buffer.from(peerId).toString('hex'),
    ...(trackerUrls.httpUrl ? { trackerHttp: trackerUrls.httpUrl } : {}), ...(trackerUrls.udpUrl ? { trackerUdp: trackerUrls.udpUrl } : {}),
  };

  (await import('./node-run.ts')).recordNodeRun(ctx.store, s, info); // what this run presents, for exports' tool.json
  let stopping: Promise<void> | undefined;
  return {
    info, bus, recorder, ...(dht ? { dht } : {}),
    announced: (o = {}) => scheduler?.whenAllAnnounced(o) ?? Promise.resolve(),
    syncCampaigns: async () => { await campaigns?.syncNow(); },
    stop() {
      stopping ??= (async () => {
        await campaigns?.stop();
        await scheduler?.stop({ deadlineMs: 3000 }).catch((e: Error) => log(`announce stop: ${e.message}`));
        await dht?.stop();
        for (const x of extraSeeders) await x.stop();
        await seeder.stop();
        await tracker?.stop();
        await recorder.stop();
        await evidence?.stop();
      })();
      return stopping;
    },
  };
}

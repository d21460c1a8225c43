import { randomBytes } from 'node:crypto';
import type { Observation } from '../domain/observation.ts';
import { infoHashFromHex } from '../domain/info-hash.ts';
import type { AnnounceScheduler } from '../bittorrent/tracker/client/scheduler.ts';
import type { TrackerServer } from '../bittorrent/tracker/server/tracker-server.ts';
import { Seeder } from '../bittorrent/seeder/seeder.ts';
import { TorrentIndex } from '../bittorrent/seeder/torrent-index.ts';
import { ObservationBus } from '../observation/bus.ts';
import { ObservationRecorder, type RecorderReport } from '../observation/recorder.ts';
import { startInlineWriter, type EvidenceWriter } from '../observation/evidence-writer.ts';
import { ThreadWriter } from '../observation/thread-writer.ts';
import { SqliteStore } from '../store/sqlite/sqlite-store.ts';
import { DhtService } from '../bittorrent/dht/dht-service.ts';
import type { Context } from './context.ts';
import type { Settings } from '../config/settings.ts';
import { BusyError, InputError } from '../domain/errors.ts';
import { startCampaignSync } from '../campaign/node-sync.ts';
import { MemoryReclaimer } from './memory-reclaimer.ts';

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
  /** Stops announcing (event=stopped), closes every peer connection, writes every observation, or reports what it could not. */
  stop(): Promise<RecorderReport>;
}

/**
 * THE composition root for a running node: every collaborator is built and wired here,
 * in dependency order, and torn down in reverse.
 */
export async function startSeedNode(ctx: Context, opts: {
  log?: (m: string) => void;
  /** 'inline' writes evidence on this thread even for a file database (bench/event-loop.bench.ts's comparison only). */
  evidenceWriter?: 'thread' | 'inline';
} = {}): Promise<SeedNode> {
  const s = ctx.settings;
  const log = opts.log ?? ctx.log;
  const now = Date.now;
  const bus = new ObservationBus({ capacity: s.queueCapacity });
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
  // Ports first, then the evidence: nothing, not even a clock record, is written by a node that
  // cannot serve (issue 17, item 10). Connections accepted meanwhile wait on the bus for the recorder.
  const ports = await bindPorts(s, { index, peerId, publish, now, log });
  const { listening, trackerUrls, dht } = ports;
  // Evidence next: an earlier unclean stop recorded, the clock recorded and a start checkpoint signed
  // (startNodeEvidence) before the first observation is written.
  // A file database is written by the evidence writer thread, so serving never waits for a write (issue 16.4).
  let writer: EvidenceWriter;
  try {
    writer = ctx.store instanceof SqliteStore && ctx.store.path !== ':memory:' && opts.evidenceWriter !== 'inline'
      ? await ThreadWriter.start({ dbPath: ctx.store.path, settings: s, log })
      : await startInlineWriter({ store: ctx.store, settings: s, log });
  } catch (e) { await ports.close(); throw e; }
  const recorder = new ObservationRecorder({ bus, writer, log }, { flushIntervalMs: s.flushIntervalMs });
  recorder.start();

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

  if (dht) {
    dht.reserve(index.size);
    for (const d of index.decoys()) dht.add(d.infoHash, d.id);
  }

  // One timer steps the campaigns and serves/announces new decoys, stops retired ones.
  const campaigns = startCampaignSync(ctx, index, {
    intervalMs: s.campaignTickS * 1000, now, log,
    onAdded: (d) => { const t = index.get(d.infoHash); if (t) scheduler?.add({ infoHash: t.infoHash, trackers: announceTo }); dht?.add(d.infoHash, d.id); },
    onRemoved: (d) => { scheduler?.remove(Buffer.from(d.infoHash, 'hex')); dht?.remove(d.infoHash); },
  });

  // Defect 10: the garbage a flood promotes is given back once the flood is over. 16 MB of growth:
  // above the heap's normal swing in serving (bench:serve), below the ~27 MB a request flood leaves.
  const reclaimer = new MemoryReclaimer({ intervalMs: 5000, growthBytes: 16 * 2 ** 20 }, { log });
  reclaimer.start();

  const info: SeedNodeInfo = {
    peerHost: listening.host, peerPort: listening.port, decoys: index.size, peerId: Buffer.from(peerId).toString('hex'),
    ...(trackerUrls.httpUrl ? { trackerHttp: trackerUrls.httpUrl } : {}), ...(trackerUrls.udpUrl ? { trackerUdp: trackerUrls.udpUrl } : {}),
  };

  (await import('./node-run.ts')).recordNodeRun(ctx.store, s, info); // what this run presents, for exports' tool.json
  let stopping: Promise<RecorderReport> | undefined;
  return {
    info, bus, recorder, ...(dht ? { dht } : {}),
    announced: (o = {}) => scheduler?.whenAllAnnounced(o) ?? Promise.resolve(),
    syncCampaigns: async () => { await campaigns?.syncNow(); },
    stop() {
      stopping ??= (async (): Promise<RecorderReport> => {
        reclaimer.stop();
        await campaigns?.stop();
        await scheduler?.stop({ deadlineMs: 3000 }).catch((e: Error) => log(`announce stop: ${e.message}`));
        await ports.close();
        const report = await recorder.stop();
        await writer.stop();
        return report;
      })();
      return stopping;
    },
  };
}

/** Everything a node listens on: the peer port on each address, the built-in tracker, the DHT nodes. */
interface BoundPorts {
  readonly seeder: Seeder;
  readonly extraSeeders: readonly Seeder[];
  readonly listening: { host: string; port: number };
  readonly tracker: TrackerServer | undefined;
  readonly trackerUrls: { httpUrl?: string; udpUrl?: string };
  readonly dht: DhtService | undefined;
  /** Stops listening, in reverse order of binding (closes every peer connection). */
  close(): Promise<void>;
}

/**
 * Binds every port the node needs, or none: on a failure, what was bound is closed again, a port in
 * use is reported as BusyError (exit 75) naming it, an address this host lacks as InputError (exit 2).
 */
async function bindPorts(s: Settings, c: { index: TorrentIndex; peerId: Uint8Array; publish: (o: Observation) => void; now: () => number; log: (m: string) => void }): Promise<BoundPorts> {
  const { index, publish, now, log } = c;
  const opened: { stop(): Promise<void> }[] = [];
  const close = async () => { for (const x of opened.reverse()) await x.stop(); opened.length = 0; };
  const bind = async <T>(what: string, x: { stop(): Promise<void> }, start: () => Promise<T>): Promise<T> => {
    try {
      const r = await start();
      opened.push(x);
      return r;
    } catch (e) {
      await close();
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE' || code === 'EACCES') throw new BusyError(`${what}: ${code === 'EADDRINUSE' ? 'address already in use' : 'permission denied'}`, { cause: e });
      if (code === 'EADDRNOTAVAIL') throw new InputError(`${what}: this host has no such address`, { cause: e });
      throw e;
    }
  };
  // Refusals, DHT sightings and announces beyond these are counted in aggregate records, never dropped.
  const records = { perSecond: s.recordsPerSecond, perSourcePerSecond: s.recordsPerSourcePerSecond, maxOpenBuckets: s.aggregateBuckets };
  const seederInit = {
    host: s.bind, port: s.port, peerId: c.peerId, clientVersion: s.clientVersion, rejectionRecords: records,
    maxConnections: s.maxConnections, maxConnectionsPerIp: s.maxConnectionsPerIp, maxConnectionsPerPrefix: s.maxConnectionsPerPrefix, uploadSlots: s.uploadSlots,
    uploadRate: s.uploadRate, unchokeRotationMs: s.unchokeRotationMs, handshakeTimeoutMs: s.handshakeTimeoutMs,
    idleTimeoutMs: s.idleTimeoutMs, maxRequestQueue: s.maxRequestQueue, allowPlaintext: s.allowPlaintext,
    progress: { intervalMs: s.progressIntervalMs, bytes: s.progressBytes },
  };
  const seeder = new Seeder(seederInit, { index, publish, now, log });
  const listening = await bind(`peer port ${s.bind}:${s.port}`, seeder, () => seeder.start());
  // Every further address this node owns gets a listener on the same port number, same index.
  const extraSeeders: Seeder[] = [];
  for (const host of s.addresses.filter((a) => a !== s.bind)) {
    const x = new Seeder({ ...seederInit, host, port: listening.port }, { index, publish, now, log });
    await bind(`peer port ${host}:${listening.port}`, x, () => x.start());
    extraSeeders.push(x);
  }

  let tracker: TrackerServer | undefined;
  let trackerUrls: { httpUrl?: string; udpUrl?: string } = {};
  if (s.trackerServerPort >= 0) {
    // Tracker code is loaded only when used: its node:http costs a DHT-only node ~10 MB of RSS.
    const { TrackerServer } = await import('../bittorrent/tracker/server/tracker-server.ts');
    const t = new TrackerServer({
      host: s.bind, httpPort: s.trackerServerPort, udpPort: s.trackerServerPort,
      lookup: (hex) => index.get(hex)?.decoy.id ?? null,
      onAnnounce: publish, intervalSeconds: s.announceIntervalS, now, announceRecords: records,
    });
    trackerUrls = await bind(`tracker port ${s.bind}:${s.trackerServerPort}`, t, () => t.start());
    tracker = t;
  }

  // A DHT node per address.
  let dht: DhtService | undefined;
  if (s.dhtEnabled) {
    const d = new DhtService({
      mode: s.mode, addresses: [listening.host, ...s.addresses.filter((a) => a !== s.bind)].map((host) => ({ host, peerPort: listening.port })),
      port: s.dhtPort, bootstrap: s.dhtBootstrap, publicBootstrap: s.dhtPublicBootstrap, readOnly: s.dhtReadOnly,
      cycleMs: s.dhtCycleS * 1000, jitter: s.dhtJitterPercent / 100, queriesPerSecond: s.dhtQueryRate, perNodePerSecond: s.dhtPerNodeRate,
      presenceRecords: records,
    }, { now, decoyFor: (hex) => index.get(hex)?.decoy.id ?? null, publish, log });
    await bind(`DHT port ${s.dhtPort === -1 ? listening.port : s.dhtPort}`, d, () => d.start());
    dht = d;
  }
  return { seeder, extraSeeders, listening, tracker, trackerUrls, dht, close };
}

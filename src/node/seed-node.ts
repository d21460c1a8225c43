import { ObservationTally } from '../observation/tally.ts';
import type { Observation } from '../domain/observation.ts';
import { BitTorrentAdapter, type PresentedClient } from '../bittorrent/bittorrent-adapter.ts';
import type { DhtService } from '../bittorrent/dht/dht-service.ts';
import type { AdapterFactory, AdapterHealth } from '../network/network-adapter.ts';
import { startInOrder, type Startable } from '../network/startable.ts';
import { ObservationBus } from '../observation/bus.ts';
import { ObservationRecorder, type RecorderReport } from '../observation/recorder.ts';
import { startInlineWriter, type EvidenceWriter } from '../observation/evidence-writer.ts';
import { ThreadWriter } from '../observation/thread-writer.ts';
import { SqliteStore } from '../store/sqlite/sqlite-store.ts';
import { PostgresStore } from '../store/postgres/postgres-store.ts';
import { InputError } from '../domain/errors.ts';
import type { Context } from './context.ts';
import { centreShipping } from './centre-shipping.ts';
import { AdapterSet, BUILT_IN_NETWORKS } from './adapters.ts';
import { startCampaignSync } from '../campaign/node-sync.ts';
import { MemoryReclaimer } from './memory-reclaimer.ts';
import { limitOldSpaceGrowth } from './old-space-growth.ts';
import type { LiveDecoySync } from '../campaign/live-sync.ts';

/** Where the node's BitTorrent side listens (peerHost '' and peerPort 0 when `node.networks` leaves BitTorrent out). */
export interface SeedNodeInfo {
  peerHost: string;
  peerPort: number;
  trackerHttp?: string;
  trackerUdp?: string;
  decoys: number;
  peerId: string;
  /** What the node showed peers besides its peer id (issue 10 item 3). */
  client?: PresentedClient;
}

export interface SeedNode {
  readonly info: SeedNodeInfo;
  readonly bus: ObservationBus;
  readonly recorder: ObservationRecorder;
  /** The network adapters, in the order they started. */
  readonly adapters: AdapterSet;
  /** Resolves once every decoy has been announced to every tracker at least once (no-op without trackers). */
  announced(opts?: { signal?: AbortSignal }): Promise<void>;
  /** The DHT nodes and announce schedulers (when dht.enabled). */
  readonly dht?: DhtService;
  /** Runs one campaign step and serves/stops decoys accordingly (the timer does this every campaign.tickInterval). */
  syncCampaigns(): Promise<void>;
  health(): AdapterHealth[];
  /** Totals since start, for the periodic status line. */
  status(): NodeStatus;
  /** Stops announcing (event=stopped), closes every peer connection, writes every observation, or reports what it could not. */
  stop(): Promise<RecorderReport>;
}

/** What a running node has done since it started (`seed`'s periodic status line). */
export interface NodeStatus {
  /** Open peer connections now, every network. */
  readonly connections: number;
  /** Delivery sessions that ended, and the bytes they were served. */
  readonly deliveries: number;
  readonly bytesServed: number;
  /** Tracker announces from peers (the node's own left out). */
  readonly announces: number;
  /** Observations dropped (queue full) and written to the store. */
  readonly dropped: number;
  readonly written: number;
}

export interface SeedNodeOptions {
  log?: (m: string) => void;
  /** Aborting it during start-up stops what has started and rejects; after start-up, use stop(). */
  signal?: AbortSignal;
  /** Networks besides the built-in ones, by name (tests plug a second network in here); `node.networks` picks. */
  networks?: Readonly<Record<string, AdapterFactory>>;
  /** 'inline' writes evidence on this thread even for a file database (bench/event-loop.bench.ts's comparison only). */
  evidenceWriter?: 'thread' | 'inline';
}

/**
 * THE composition root for a running node: every collaborator is built and wired here, and
 * started in dependency order: the network adapters the settings name (their ports), the evidence
 * writer, the recorder, the campaign timer. If one fails to start, or the signal is aborted, those already started are
 * stopped in reverse (network/startable.ts), so a failed start leaves no port bound and every
 * observation written. stop() tears the node down in the same reverse order.
 */
export async function startSeedNode(ctx: Context, opts: SeedNodeOptions = {}): Promise<SeedNode> {
  // A serving node records into its own SQLite store (the outbox) and ships to the centre (docs/centre.md):
  // peers must never wait on a network round trip to the database.
  if (ctx.store instanceof PostgresStore) throw new InputError('a seed node keeps its own SQLite store (leave --store empty) and ships its records to the centre; --store postgres:// is for the centre');
  const s = ctx.settings;
  const log = opts.log ?? ctx.log;
  const now = Date.now;
  const bus = new ObservationBus({ capacity: s.queueCapacity });
  const tally = new ObservationTally();
  const publish = (o: Observation) => { tally.count(o); bus.publish(o); };
  const adapters = new AdapterSet(s.networks, { ...BUILT_IN_NETWORKS, ...opts.networks }, {
    settings: s, presentation: ctx.presentation, sourceFor: (d) => ctx.sourceFor(d), decoyInfo: (id) => ctx.decoyInfo(id), publish, now, log,
  });

  // The node's own announces to its built-in tracker are not peers' (they start with the adapters).
  tally.ignorePeerId(adapters.find(BitTorrentAdapter)?.peerIdHex ?? '');

  // Paged, compact load: 100,000 decoys never sit in memory with their info dicts at once, and a page
  // of 250 rows dies young in a small new space (pages of 10,000 outlived scavenges: the old space grew
  // by ~40 MB of garbage during the load, and V8 keeps such freed pages pooled and resident).
  const payloadIds = new Set<string>();
  let decoys = 0;
  adapters.reserve(await ctx.store.countServedDecoys());
  for await (const page of ctx.store.servedDecoyPages(250)) {
    for (const d of page) { adapters.addDecoy(d); payloadIds.add(d.payloadId); decoys++; }
  }
  // Fail at start-up, not on the first request, if a payload file was altered on disk.
  for (const id of payloadIds) ctx.payloadSource(id);

  let writer: EvidenceWriter | undefined;
  let recorder: ObservationRecorder | undefined;
  let report: RecorderReport | undefined;
  let campaigns: LiveDecoySync | undefined;
  let reclaimer: MemoryReclaimer | undefined;
  const evidenceParts: [Startable, Startable] = [
    // Stopped after every network has closed its connections (their last deliveries are on the bus by then).
    { name: 'evidence writer and recorder (stop)', start: async () => {}, stop: async () => { try { report = await recorder?.stop(); } finally { await writer?.stop(); } } },
    // Evidence next: an earlier unclean stop recorded, the clock recorded and a start checkpoint signed
    // (startNodeEvidence) before the first observation is written. A file database is written by the
    // evidence writer thread, so serving never waits for a write (issue 16.4).
    {
      name: 'evidence writer and recorder',
      start: async () => {
        writer = ctx.store instanceof SqliteStore && ctx.store.path !== ':memory:' && opts.evidenceWriter !== 'inline'
          ? await ThreadWriter.start({ dbPath: ctx.store.path, settings: s, log })
          : await startInlineWriter({ store: ctx.store, settings: s, log });
        recorder = new ObservationRecorder({ bus, writer, log }, { flushIntervalMs: s.flushIntervalMs });
        recorder.start();
      },
      stop: async () => {},
    },
  ];
  // Start order: networks (their ports), evidence, campaign timer. Stop order, the reverse, except that
  // the evidence stops last, through the first part, which starts nothing.
  const parts: Startable[] = [
    evidenceParts[0],
    // Ports first (the networks), then the evidence: nothing, not even a clock record, is written by a node
    // that cannot serve (issue 17, item 10). Connections accepted meanwhile wait on the bus for the recorder.
    ...adapters.adapters,
    evidenceParts[1],
    // One timer steps the campaigns and serves/announces new decoys, stops retired ones, on every network.
    {
      name: 'campaign timer',
      start: async () => { campaigns = startCampaignSync(ctx, adapters, { intervalMs: s.campaignTickS * 1000, now, log }); },
      stop: async () => { await campaigns?.stop(); },
    },
    // Issue 12: the evidence records go to the centre, if one is set, from this node's store (the outbox).
    ...(s.centreUrl !== '' ? [centreShipping({ url: s.centreUrl, dataDir: s.dataDir, store: ctx.store, log })] : []),
    // Defect 10: the garbage a flood promotes is given back once the flood is over. 16 MB of growth:
    // above the heap's normal swing in serving (bench:serve), below the ~27 MB a request flood leaves.
    {
      name: 'memory reclaimer',
      start: async () => { reclaimer = new MemoryReclaimer({ intervalMs: 5000, growthBytes: 16 * 2 ** 20 }, { log }); reclaimer.start(); },
      stop: async () => { reclaimer?.stop(); },
    },
  ];
  const started = await startInOrder(parts, opts.signal ?? new AbortController().signal, log);

  const bt = adapters.find(BitTorrentAdapter);
  const info: SeedNodeInfo = bt ? { ...bt.info, decoys } : { peerHost: '', peerPort: 0, peerId: '', decoys };
  (await import('./node-run.ts')).recordNodeRun(ctx.store, s, info); // what this run presents, for exports' tool.json
  // Last: every module the node needs is loaded by now, so the changed V8 flag misses no compile cache.
  limitOldSpaceGrowth(s.oldSpaceGrowth);
  const dht = bt?.dht;
  return {
    info, bus, recorder: recorder!, adapters, ...(dht ? { dht } : {}),
    announced: (o = {}) => bt?.announced(o) ?? Promise.resolve(),
    syncCampaigns: async () => { await campaigns?.syncNow(); },
    health: () => adapters.health(),
    status: () => ({
      connections: adapters.health().reduce((n, h) => n + h.connections, 0), deliveries: tally.deliveries, bytesServed: tally.bytesServed,
      announces: tally.announces, dropped: bus.droppedTotal, written: recorder!.written,
    }),
    stop: async () => { await started.stop(); return report!; },
  };
}


import { randomBytes } from 'node:crypto';
import { resolvePresentation } from '../config/client-profiles.ts';
import type { Decoy, ServedDecoy } from '../domain/decoy.ts';
import type { WirePresentation } from '../domain/presentation.ts';
import { BusyError, InputError } from '../domain/errors.ts';
import { infoHashFromHex } from '../domain/info-hash.ts';
import { btihContentId } from '../domain/content-id.ts';
import type { Observation } from '../domain/observation.ts';
import { ipFamily, type IpFamily } from '../domain/ip-address.ts';
import { magnetLink } from '../decoy/magnet.ts';
import type { AdapterComponents, AdapterHealth, DecoyAddress, NetworkAdapter } from '../network/network-adapter.ts';
import { startInOrder, type Startable, type StartedParts } from '../network/startable.ts';
import { DhtService } from './dht/dht-service.ts';
import { stampBitTorrent } from './network-stamp.ts';
import { Seeder, type SeederInit } from './seeder/seeder.ts';
import { TorrentIndex } from './seeder/torrent-index.ts';
import { PRESENTED_NUMWANT } from './tracker/client/presented-announce.ts';
import { makeReserved } from './wire/handshake.ts';
import { makeOwnPeerId } from './wire/own-peer-id.ts';
import { ADVERTISED_EXTENSIONS } from './wire/presented-handshake.ts';
import { openOwnUdp, UdpPort, type OpenUdp } from './udp/udp-port.ts';
import { DEFAULT_MUX, UtpMultiplexer } from './utp/multiplexer.ts';
import type { AnnounceScheduler } from './tracker/client/scheduler.ts';
import type { TrackerServer } from './tracker/server/tracker-server.ts';

/**
 * A bind failure as the operator needs it: a port in use is BusyError (exit 75) naming it, an address
 * this host lacks is InputError (exit 2); anything else as it came.
 */
async function binding<T>(what: string, bind: () => Promise<T>): Promise<T> {
  try {
    return await bind();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') throw new BusyError(`${what}: ${code === 'EADDRINUSE' ? 'address already in use' : 'permission denied'}`, { cause: e });
    if (code === 'EADDRNOTAVAIL') throw new InputError(`${what}: this host has no such address`, { cause: e });
    throw e;
  }
}

/** Where a started BitTorrent adapter can be reached. */
export interface BitTorrentInfo {
  readonly peerHost: string;
  readonly peerPort: number;
  readonly trackerHttp?: string;
  readonly trackerUdp?: string;
  /** Our BEP 20 peer id, hex. */
  readonly peerId: string;
  /** What peers were shown besides the peer id (issue 10 item 3), so the evidence says what they saw. */
  readonly client: PresentedClient;
}

/** The client-identifying values a node sent, as recorded with its run (node_runs.presented, tool.json). */
export interface PresentedClient {
  /** The client profile these values copy. */
  readonly profile: string;
  /** The BitTorrent handshake's reserved bytes, hex. */
  readonly reserved: string;
  /** BEP 10 `v`. */
  readonly clientVersion: string;
  /** BEP 10 `reqq`. */
  readonly reqq: number;
  /** Whose extended handshake layout was sent, and its `m` (extension name -> id). */
  readonly handshakeStyle: string;
  readonly extensions: Readonly<Record<string, number>>;
  /** `v` of DHT queries, hex; null when none is sent. */
  readonly dhtVersion: string | null;
  /** HTTP User-Agent of tracker announces. */
  readonly userAgent: string;
}

/**
 * BitTorrent as one NetworkAdapter: the seeder (one TCP port per address, every decoy routed by
 * infohash), the optional built-in tracker, the announcer and the optional DHT, wired from the
 * settings. It wraps those pieces without changing them. They start in this order, each needing
 * the one before it (the tracker its URL for the announcer, the DHT the peer port), and a piece
 * that fails to start (a port taken, a DHT bind refused) stops those already started.
 */
export class BitTorrentAdapter implements NetworkAdapter {
  readonly name = 'bittorrent';
  readonly network = 'bittorrent';
  readonly #c: AdapterComponents;
  readonly #index: TorrentIndex;
  readonly #peerId: Uint8Array;
  readonly #wire: WirePresentation;
  readonly #seeders: Seeder[] = [];
  #listening: { host: string; port: number } | undefined;
  #trackerUrls: { httpUrl?: string; udpUrl?: string } = {};
  /** The built-in tracker's HTTP URL on each host it listens on. */
  #trackerHttpByHost = new Map<string, string>();
  /** Every tracker URL a magnet link names (external ones and the built-in tracker's, IPv4 and IPv6). */
  #announceTo: string[] = [];
  /** One announcer per address family the node has (issue 10 item 2): trackers list the address an announce came from. */
  #announcers: { scheduler: AnnounceScheduler; trackers: string[] }[] = [];
  #dht: DhtService | undefined;
  /** UDP peer ports (uTP), by bound address: the DHT attaches to the one with its number. */
  readonly #udp = new Map<string, UdpPort>();
  #parts: StartedParts | undefined;
  /** Every observation leaves the adapter stamped with its network and content id (network-stamp.ts). */
  readonly #publish: (o: Observation) => void;

  constructor(c: AdapterComponents) {
    this.#c = c;
    this.#publish = (o) => c.publish(stampBitTorrent(o));
    this.#index = new TorrentIndex({ sourceFor: (d) => c.sourceFor(d), loadInfo: (d) => c.decoyInfo(d.id) });
    this.#wire = (c.presentation ?? resolvePresentation(c.settings, randomBytes(32))).wire;
    this.#peerId = makeOwnPeerId(this.#wire.peerIdPrefix, this.#wire.peerIdStyle);
  }

  async start(signal: AbortSignal): Promise<void> {
    const s = this.#c.settings;
    const parts: Startable[] = [this.#seederPart(s.bind, () => s.port)];
    // Every further address this node owns gets a listener on the same port number, same index.
    for (const host of s.addresses.filter((a) => a !== s.bind)) parts.push(this.#seederPart(host, () => this.#listening!.port));
    if (s.trackerServerPort >= 0) parts.push(this.#trackerPart());
    parts.push(this.#announcerPart());
    if (s.dhtEnabled) parts.push(this.#dhtPart());
    this.#parts = await startInOrder(parts, signal, this.#c.log);
  }

  async stop(): Promise<void> {
    const parts = this.#parts;
    this.#parts = undefined;
    await parts?.stop();
  }

  #seederPart(host: string, port: () => number): Startable {
    const s = this.#c.settings;
    let seeder: Seeder | undefined;
    let utp: { mux: UtpMultiplexer; endpoint: { close(): Promise<void> } } | undefined;
    return {
      name: `bittorrent seeder ${host}`,
      start: async () => {
        const init: SeederInit = {
          host, port: port(), peerId: this.#peerId, clientVersion: this.#wire.clientVersion,
          presented: { handshakeStyle: this.#wire.handshakeStyle, reqq: this.#wire.reqq, dhtBit: this.#wire.dhtBit },
          maxConnections: s.maxConnections, maxConnectionsPerIp: s.maxConnectionsPerIp, maxConnectionsPerPrefix: s.maxConnectionsPerPrefix, uploadSlots: s.uploadSlots, rejectionRecords: this.#records(),
          uploadRate: s.uploadRate, unchokeRotationMs: s.unchokeRotationMs, handshakeTimeoutMs: s.handshakeTimeoutMs,
          idleTimeoutMs: s.idleTimeoutMs, maxRequestQueue: s.maxRequestQueue, allowPlaintext: s.allowPlaintext,
          progress: { intervalMs: s.progressIntervalMs, bytes: s.progressBytes },
        };
        seeder = new Seeder(init, { index: this.#index, publish: this.#publish, now: this.#c.now, log: this.#c.log });
        this.#seeders.push(seeder);
        const listening = await binding(`peer port ${host}:${init.port}`, () => seeder!.start());
        this.#listening ??= listening;
        if (s.utp) utp = await this.#startUtp(seeder, listening);
      },
      stop: async () => {
        // The seeder closes its sessions first (recorded with reason "shutdown"), uTP ones included;
        // then the multiplexer drops what is left (half-open) and ignores further datagrams.
        const stopped = seeder?.stop();
        utp?.mux.stop();
        await stopped;
        await utp?.endpoint.close();
      },
    };
  }

  /** uTP on UDP at the TCP port's number and address (BEP 29): accepted streams go to the same seeder. */
  async #startUtp(seeder: Seeder, at: { host: string; port: number }): Promise<{ mux: UtpMultiplexer; endpoint: { close(): Promise<void> } }> {
    const port = await binding(`uTP port ${at.host}:${at.port} (udp)`, () => UdpPort.bind(at.host, at.port, this.#c.log));
    const mux = new UtpMultiplexer({ ...DEFAULT_MUX, localIp: at.host, localPort: at.port }, {
      send: (d, p, ip) => port.send(d, p, ip), sender: (p, ip) => port.sender(p, ip), onAccept: (st) => seeder.acceptStream(st), nowMs: this.#c.now, log: this.#c.log,
    });
    const endpoint = port.attach('utp', (msg, from) => mux.onDatagram(msg, from));
    const a = port.address();
    const key = `${a.address}|${a.port}`;
    this.#udp.set(key, port);
    mux.start();
    return { mux, endpoint: { close: async () => { this.#udp.delete(key); await endpoint.close(); } } };
  }

  /** The DHT's UDP port: the uTP port when the numbers and addresses match (one socket, demultiplexed), else its own. */
  readonly #openUdp: OpenUdp = async (host, port, onMessage) => {
    const shared = this.#udp.get(`${host}|${port}`);
    if (shared && !shared.has('krpc')) return shared.attach('krpc', onMessage);
    return openOwnUdp(host, port, onMessage);
  };

  #trackerPart(): Startable {
    const s = this.#c.settings;
    let tracker: TrackerServer | undefined;
    return {
      name: 'bittorrent tracker server',
      start: async (signal) => {
        // Tracker code is loaded only when used: its node:http costs a DHT-only node ~10 MB of RSS.
        const { TrackerServer } = await import('./tracker/server/tracker-server.ts');
        tracker = new TrackerServer({
          host: s.bind, extraHosts: this.#familyHosts().filter((h) => h !== s.bind), httpPort: s.trackerServerPort, udpPort: s.trackerServerPort,
          lookup: (hex) => this.#index.get(hex)?.decoy.id ?? null,
          onAnnounce: this.#publish, intervalSeconds: s.announceIntervalS, now: this.#c.now, announceRecords: this.#records(),
        });
        const started = await binding(`tracker port ${s.bind}:${s.trackerServerPort}`, () => tracker!.start({ signal }));
        this.#trackerUrls = { ...(started.httpUrl !== undefined && { httpUrl: started.httpUrl }), ...(started.udpUrl !== undefined && { udpUrl: started.udpUrl }) };
        for (const u of started.urls) if (u.httpUrl !== undefined) this.#trackerHttpByHost.set(u.host, u.httpUrl);
      },
      stop: async () => { await tracker?.stop(); },
    };
  }

  #announcerPart(): Startable {
    const s = this.#c.settings;
    return {
      name: 'bittorrent announcer',
      start: async () => {
        const hosts = this.#familyHosts();
        const v6 = hosts.find((h) => ipFamily(h) === 6);
        const builtIn = [...this.#trackerHttpByHost.values()];
        this.#announceTo = [...s.trackers, ...builtIn];
        if (this.#announceTo.length === 0) return;
        const { AnnounceScheduler } = await import('./tracker/client/scheduler.ts');
        for (const host of hosts) {
          const family = ipFamily(host);
          // An external tracker named by a host name is announced to over each family (A and AAAA);
          // one named by an address only over that address's family; the built-in one on this host.
          const trackers = [...s.trackers.filter((t) => reachableOver(t, family)), ...(this.#trackerHttpByHost.has(host) ? [this.#trackerHttpByHost.get(host)!] : [])];
          if (trackers.length === 0) continue;
          const scheduler = new AnnounceScheduler({
            peerId: this.#peerId, port: this.#listening!.port, localAddress: host, minIntervalMs: s.announceIntervalS * 1000,
            ...(family === 4 && v6 !== undefined && { ipv6: v6 }),
            // As the presented client announces (issue 10 item 3): its numwant (UDP too), its HTTP query and headers.
            numWant: PRESENTED_NUMWANT[this.#wire.handshakeStyle],
            presented: { style: this.#wire.handshakeStyle, userAgent: this.#wire.userAgent },
            onResult: (r) => { if (!r.ok) this.#c.log(`announce to ${r.tracker} failed: ${r.error}`); },
          });
          scheduler.reserve(this.#index.size);
          for (const d of this.#index.decoys()) scheduler.add({ infoHash: infoHashFromHex(d.infoHash), trackers });
          scheduler.start();
          this.#announcers.push({ scheduler, trackers });
        }
      },
      stop: async () => {
        const all = this.#announcers;
        this.#announcers = [];
        await Promise.all(all.map(({ scheduler }) => scheduler.stop({ deadlineMs: 3000 }).catch((e: Error) => this.#c.log(`announce stop: ${e.message}`))));
      },
    };
  }

  /** The bind address, then the first further address of the other family, if any: where the tracker listens and announces go from. */
  #familyHosts(): string[] {
    const s = this.#c.settings;
    const other = s.addresses.find((a) => ipFamily(a) !== null && ipFamily(a) !== ipFamily(s.bind));
    return other === undefined ? [s.bind] : [s.bind, other];
  }

  #dhtPart(): Startable {
    const s = this.#c.settings;
    return {
      name: 'bittorrent dht',
      start: async () => {
        // A DHT node per address; every active decoy scheduled for announce (new ones first).
        const port = this.#listening!.port;
        const dht = new DhtService({
          mode: s.mode, addresses: [this.#listening!.host, ...s.addresses.filter((a) => a !== s.bind)].map((host) => ({ host, peerPort: port })),
          port: s.dhtPort, bootstrap: s.dhtBootstrap, publicBootstrap: s.dhtPublicBootstrap, readOnly: s.dhtReadOnly,
          cycleMs: s.dhtCycleS * 1000, jitter: s.dhtJitterPercent / 100, queriesPerSecond: s.dhtQueryRate, perNodePerSecond: s.dhtPerNodeRate,
          presenceRecords: this.#records(),
          ...(this.#wire.dhtVersion !== null ? { version: new Uint8Array(Buffer.from(this.#wire.dhtVersion, 'latin1')) } : {}),
        }, { now: this.#c.now, decoyFor: (hex) => this.#index.get(hex)?.decoy.id ?? null, publish: this.#publish, log: this.#c.log, openUdp: this.#openUdp });
        // Kept before start: a second address's bind can fail after the first node is up, and stop() must close it.
        this.#dht = dht;
        await binding(`DHT port ${s.dhtPort === -1 ? port : s.dhtPort}`, () => dht.start());
        dht.reserve(this.#index.size);
        for (const d of this.#index.decoys()) dht.add(d.infoHash, d.id);
      },
      stop: async () => { await this.#dht?.stop(); },
    };
  }

  /** Refusals, DHT sightings and announces beyond these budgets are counted in aggregate records, never dropped (issue 17, defect 5). */
  #records() {
    const s = this.#c.settings;
    return { perSecond: s.recordsPerSecond, perSourcePerSecond: s.recordsPerSourcePerSecond, maxOpenBuckets: s.aggregateBuckets };
  }

  reserve(n: number): void { this.#index.reserve(n); }

  addDecoy(d: Decoy | ServedDecoy): void {
    this.#index.add(d);
    const t = this.#index.get(d.infoHash);
    if (t) for (const a of this.#announcers) a.scheduler.add({ infoHash: t.infoHash, trackers: a.trackers });
    this.#dht?.add(d.infoHash, d.id);
  }

  removeDecoy(d: ServedDecoy): void {
    this.#index.remove(d.infoHash);
    for (const a of this.#announcers) a.scheduler.remove(Buffer.from(d.infoHash, 'hex'));
    this.#dht?.remove(d.infoHash);
  }

  decoys(): Iterable<ServedDecoy> { return this.#index.decoys(); }

  servedIds(): Float64Array { return this.#index.servedIds(); }

  address(d: Decoy): DecoyAddress {
    return { network: this.network, contentId: btihContentId(d.infoHash), link: magnetLink({ infoHash: d.infoHash, name: d.name, size: d.size, trackers: this.#announceTo }) };
  }

  /** The node's peer id (hex), known before start(): its own announces can be told apart from the first. */
  get peerIdHex(): string { return Buffer.from(this.#peerId).toString('hex'); }

  /** Where the node listens; only after start(). */
  get info(): BitTorrentInfo {
    if (!this.#listening) throw new Error('the BitTorrent adapter has not started');
    return {
      peerHost: this.#listening.host, peerPort: this.#listening.port, peerId: Buffer.from(this.#peerId).toString('hex'), client: this.presentedClient(),
      ...(this.#trackerUrls.httpUrl ? { trackerHttp: this.#trackerUrls.httpUrl } : {}), ...(this.#trackerUrls.udpUrl ? { trackerUdp: this.#trackerUrls.udpUrl } : {}),
    };
  }

  get dht(): DhtService | undefined { return this.#dht; }

  /** The values this adapter sends to every peer, beside its peer id. */
  presentedClient(): PresentedClient {
    const w = this.#wire;
    return {
      profile: w.profile, reserved: Buffer.from(makeReserved({ extended: true, fast: true, dht: w.dhtBit })).toString('hex'),
      clientVersion: w.clientVersion, reqq: w.reqq, handshakeStyle: w.handshakeStyle,
      extensions: Object.fromEntries(ADVERTISED_EXTENSIONS[w.handshakeStyle]),
      dhtVersion: w.dhtVersion === null ? null : Buffer.from(w.dhtVersion, 'latin1').toString('hex'), userAgent: w.userAgent,
    };
  }

  /** Resolves once every decoy has been announced to every tracker at least once (no-op without trackers). */
  async announced(o: { signal?: AbortSignal } = {}): Promise<void> {
    await Promise.all(this.#announcers.map((a) => a.scheduler.whenAllAnnounced(o)));
  }

  health(): AdapterHealth {
    const l = this.#listening;
    return {
      network: this.network, running: this.#parts !== undefined, decoys: this.#index.size,
      connections: this.#seeders.reduce((n, x) => n + x.connections, 0),
      listening: [
        ...(l ? [`tcp ${l.host}:${l.port}`] : []), ...[...this.#udp.keys()].map((k) => `utp ${k.replace('|', ':')}`),
        ...(this.#trackerUrls.httpUrl ? [`http ${this.#trackerUrls.httpUrl}`] : []), ...(this.#trackerUrls.udpUrl ? [`udp ${this.#trackerUrls.udpUrl}`] : []),
      ],
    };
  }
}

/** Whether a tracker URL can be reached over `family`: a host name over either, an address over its own. */
function reachableOver(url: string, family: IpFamily | null): boolean {
  let host: string;
  try { host = new URL(url).hostname.replace(/^\[|\]$/g, ''); } catch { return false; }
  const f = ipFamily(host);
  return f === null || f === family;
}

import { openOwnUdp, type DatagramSource, type OpenUdp, type UdpEndpoint } from '../udp/udp-port.ts';
import { infoHashToHex } from '../../domain/info-hash.ts';
import { ipFamily, type IpFamily, socketIp } from '../../domain/ip-address.ts';
import type { Observation, SwarmPresenceObservation } from '../../domain/observation.ts';
import { DEFAULT_FLOOD_GATE, FloodGate, type FloodGateInit } from '../../observation/flood-gate.ts';
import type { NodeAddress, NodeInfo } from './compact.ts';
import { DhtQueryError, KrpcDecodeError } from './errors.ts';
import { decodeKrpc, encodeError, encodeQuery, encodeResponse, KRPC_ERRORS, type KrpcQuery, type KrpcResponse, type QueryArgs } from './krpc.ts';
import { ExternalIpVoter } from './external-ip.ts';
import { bep42NodeId, isBep42Valid, type NodeId } from './node-id.ts';
import { PeerStore } from './peer-store.ts';
import { QueryRateLimiter } from './rate-limit.ts';
import { K, RoutingTable } from './routing-table.ts';
import { SendQueue } from './send-queue.ts';
import { TokenIssuer } from './tokens.ts';
import { Transactions } from './transactions.ts';

export interface DhtNodeInit {
  host: string;
  /** UDP port; 0 picks a free one. */
  port: number;
  /**
   * The address other nodes see (BEP 42 id). When not set, the node starts from `host` and learns
   * its external address from the `ip` that nodes echo in their replies (ExternalIpVoter).
   */
  externalIp?: string;
  /** BEP 43: send `ro=1`, answer no queries, stay out of other nodes' tables. */
  readOnly?: boolean;
  /** `v` of our queries: the presented client's (libtorrent "LT" + version bytes); none when absent (issue 10 item 3). */
  version?: Uint8Array;
  queriesPerSecond?: number;
  perDestinationPerSecond?: number;
  queryTimeoutMs?: number;
  maxPending?: number;
  maxQueued?: number;
  /** Only put nodes with BEP 42-valid ids in the table. */
  enforceNodeIds?: boolean;
  /** Fixed node id (tests); otherwise derived from externalIp (BEP 42). */
  nodeId?: NodeId;
  /** Swarm-presence records per second (overall, per source); the rest are aggregated, so a get_peers flood cannot crowd the store. */
  presenceRecords?: FloodGateInit;
}

export interface DhtNodeComponents {
  now(): number;
  /** Decoy id for an infohash we serve, or null. */
  decoyFor(infoHashHex: string): number | null;
  /** The TCP peer port serving our decoys, returned to get_peers for our infohashes. */
  peerPort(): number | null;
  publish(o: Observation): void;
  /**
   * BEP 32: the closest nodes of the other address family's table (this node's sibling on the same
   * host), for queries whose `want` asks for both; absent: only this node's own family is served.
   */
  closestOther?(target: NodeId, count: number): NodeInfo[];
  /** Metrics hook: every query that arrives (the testbed counts what each node receives). */
  onQuery?(from: NodeAddress, method: string, now: number): void;
  log?(msg: string): void;
  /** Opens the node's UDP port; absent: a socket of its own. The seeder shares its port with uTP this way (issue 10). */
  openUdp?: OpenUdp;
}

export interface DhtStats {
  sent: number;
  received: number;
  queriesAnswered: number;
  timeouts: number;
  badPackets: number;
  /** Swarm-presence events counted in aggregate records instead of recorded one by one. */
  aggregatedObservations: number;
  /** Times the node took a new BEP 42 id because other nodes agreed on a new external address. */
  idChanges: number;
}


/**
 * A Mainline DHT node (BEP 5) on one UDP socket: answers ping/find_node/get_peers/announce_peer,
 * sends queries through one rate-limited queue, records DHT evidence for our own infohashes.
 */
export class DhtNode {
  #id: NodeId;
  #table: RoutingTable;
  readonly #voter = new ExternalIpVoter();
  /** The external address other nodes agreed on (BEP 42), when externalIp was not configured. */
  #learnedIp: string | undefined;
  #warnedIp: string | undefined;
  readonly stats: DhtStats = { sent: 0, received: 0, queriesAnswered: 0, timeouts: 0, badPackets: 0, aggregatedObservations: 0, idChanges: 0 };
  readonly #i: DhtNodeInit;
  readonly #c: DhtNodeComponents;
  readonly #tokens: TokenIssuer;
  readonly #peers = new PeerStore();
  readonly #tx: Transactions;
  readonly #queue: SendQueue;
  readonly #timeoutMs: number;
  #socket: UdpEndpoint | undefined;
  #sweep: NodeJS.Timeout | undefined;
  #address: NodeAddress | undefined;
  readonly #presenceGate: FloodGate;
  /** IPv4 (BEP 5) or IPv6 (BEP 32), from the bound host: one routing table per family, on its own socket. */
  readonly family: IpFamily;

  constructor(init: DhtNodeInit, components: DhtNodeComponents) {
    this.#i = init;
    this.#c = components;
    this.family = ipFamily(init.host) ?? 4;
    this.#id = init.nodeId ?? bep42NodeId(init.externalIp ?? init.host);
    this.#table = new RoutingTable(this.#id);
    this.#tokens = new TokenIssuer({ now: components.now });
    this.#tx = new Transactions(init.maxPending ?? 1024);
    this.#timeoutMs = init.queryTimeoutMs ?? 2000;
    const limiter = new QueryRateLimiter({
      perSecond: init.queriesPerSecond ?? 1000, perDestinationPerSecond: init.perDestinationPerSecond ?? 2, now: components.now(),
    });
    this.#queue = new SendQueue({ limiter, now: components.now, max: init.maxQueued ?? 8192 });
    this.#presenceGate = new FloodGate(init.presenceRecords ?? DEFAULT_FLOOD_GATE, { publish: components.publish, now: components.now });
  }

  get id(): NodeId { return this.#id; }
  get table(): RoutingTable { return this.#table; }

  /** The address other nodes see us at: configured, else learned from their replies (BEP 42), else the bound one. */
  get externalIp(): string { return this.#i.externalIp ?? this.#learnedIp ?? this.address.ip; }

  get address(): NodeAddress {
    if (!this.#address) throw new Error('DHT node not started');
    return this.#address;
  }
  get readOnly(): boolean { return this.#i.readOnly === true; }
  get pending(): number { return this.#tx.size; }
  get queued(): number { return this.#queue.length; }

  async start(): Promise<NodeAddress> {
    const socket = await (this.#c.openUdp ?? openOwnUdp)(this.#i.host, this.#i.port, (msg, rinfo) => this.#onPacket(msg, rinfo));
    this.#socket = socket;
    this.#address = { ip: socketIp(socket.address().address), port: socket.address().port };
    // One sweep timer for every outstanding query.
    this.#sweep = setInterval(() => this.#expire(), Math.max(50, Math.min(250, this.#timeoutMs / 4)));
    return this.#address;
  }

  async stop(): Promise<void> {
    if (this.#sweep) clearInterval(this.#sweep);
    this.#queue.close();
    for (const p of this.#tx.drain()) p.reject(new DhtQueryError('closed'));
    const s = this.#socket;
    this.#socket = undefined;
    if (s) await s.close();
    this.#presenceGate.flush();
  }

  /** Sends one query once the rate limits allow; resolves with the reply. */
  query(to: NodeAddress, method: string, args: QueryArgs = {}, o: { signal?: AbortSignal } = {}): Promise<KrpcResponse> {
    return new Promise<KrpcResponse>((resolve, reject) => {
      if (o.signal?.aborted) { reject(new DhtQueryError('aborted')); return; }
      this.#queue.push({
        to, signal: o.signal, reject,
        send: () => {
          const socket = this.#socket;
          if (!socket) { reject(new DhtQueryError('closed')); return; }
          if (this.#tx.full) { reject(new DhtQueryError('queue-full', 'too many outstanding queries')); return; }
          const t = this.#tx.open({ to, deadline: this.#c.now() + this.#timeoutMs, resolve, reject });
          const packet = encodeQuery(t, method, this.id, args, { readOnly: this.readOnly, ...(this.#i.version ? { version: this.#i.version } : {}) });
          this.stats.sent++;
          socket.send(packet, to.port, to.ip);
        },
      });
    });
  }

  #expire(): void {
    for (const p of this.#tx.expire(this.#c.now())) {
      this.stats.timeouts++;
      p.reject(new DhtQueryError('timeout', `${p.to.ip}:${p.to.port}`));
    }
  }

  #onPacket(msg: Buffer, rinfo: DatagramSource): void {
    this.stats.received++;
    const from: NodeAddress = { ip: socketIp(rinfo.address), port: rinfo.port };
    let m;
    try { m = decodeKrpc(msg); } catch (e) {
      this.stats.badPackets++;
      if (!(e instanceof KrpcDecodeError)) this.#c.log?.(`dht: ${(e as Error).message}`);
      return;
    }
    if (m.y === 'q') { this.#onQuery(m, from); return; }
    const p = this.#tx.take(m.t, from);
    if (!p) return;
    if (m.y === 'e') { p.reject(new DhtQueryError('error-reply', `${m.code} ${m.message}`)); return; }
    this.#learn({ id: m.id, ...from });
    if (m.ip && ipFamily(m.ip.ip) === this.family) this.#echoed(from.ip, m.ip.ip);
    // BEP 32: an IPv6 node walks `nodes6`; a lookup only ever sees nodes it can reach on this socket.
    p.resolve(this.family === 6 ? { ...m, nodes: m.nodes6 ?? [] } : m);
  }

  /**
   * A node we queried says it saw us as `reported`. Once enough agree on an address other than the
   * one our id was made for, the node takes a BEP 42 id for it, so that nodes enforcing BEP 42 keep
   * it in their tables, and gives that address to get_peers askers. A configured externalIp is never
   * overridden: a disagreeing majority is logged once.
   */
  #echoed(voter: string, reported: string): void {
    if (this.#i.nodeId) return;
    const agreed = this.#voter.vote(voter, reported);
    if (agreed === undefined || agreed === this.externalIp) return;
    if (this.#i.externalIp) {
      if (this.#warnedIp !== agreed) this.#c.log?.(`dht: other nodes see this node as ${agreed}, not the configured external address ${this.#i.externalIp}`);
      this.#warnedIp = agreed;
      return;
    }
    this.#learnedIp = agreed;
    if (isBep42Valid(this.#id, agreed)) return;
    const old = this.#table;
    this.#id = bep42NodeId(agreed);
    this.#table = new RoutingTable(this.#id);
    const now = this.#c.now();
    for (const e of old.all()) this.#table.seen(e, now);
    this.stats.idChanges++;
    this.#c.log?.(`dht: other nodes see this node as ${agreed}; new BEP 42 node id ${Buffer.from(this.#id).toString('hex')}`);
  }

  #learn(n: NodeInfo): void {
    if (ipFamily(n.ip) !== this.family) return;
    if (this.#i.enforceNodeIds && !isBep42Valid(n.id, n.ip)) return;
    this.table.seen(n, this.#c.now());
  }

  /** The node a timed-out query went to is marked failing (BEP 5 bad-node rule). */
  failed(id: NodeId): void { this.table.failed(id); }

  #onQuery(q: KrpcQuery, from: NodeAddress): void {
    const now = this.#c.now();
    this.#c.onQuery?.(from, q.q, now);
    if (q.infoHash && q.q === 'get_peers') this.#presence(q, from, now);
    // BEP 43: a read-only node does not answer queries.
    if (this.readOnly) return;
    if (!q.readOnly) this.#learn({ id: q.id, ...from });
    const reply = this.#answer(q, from, now);
    this.stats.queriesAnswered++;
    this.#socket?.send(reply, from.port, from.ip);
  }

  #answer(q: KrpcQuery, from: NodeAddress, now: number): Uint8Array {
    switch (q.q) {
      case 'ping':
        return encodeResponse(q.t, this.id, {}, from);
      case 'find_node':
        if (!q.target) return encodeError(q.t, KRPC_ERRORS.protocol, 'find_node needs target');
        return encodeResponse(q.t, this.id, this.#nodesFor(q, q.target), from);
      case 'get_peers': {
        if (!q.infoHash) return encodeError(q.t, KRPC_ERRORS.protocol, 'get_peers needs info_hash');
        const values = this.#peersFor(q.infoHash, now);
        const token = this.#tokens.issue(from.ip);
        return encodeResponse(q.t, this.id, values.length > 0 ? { values, token, ...this.#nodesFor(q, q.infoHash) } : { token, ...this.#nodesFor(q, q.infoHash) }, from);
      }
      case 'announce_peer': {
        if (!q.infoHash || !q.token) return encodeError(q.t, KRPC_ERRORS.protocol, 'announce_peer needs info_hash and token');
        if (!this.#tokens.verify(from.ip, q.token)) return encodeError(q.t, KRPC_ERRORS.protocol, 'bad token');
        const port = q.impliedPort ? from.port : q.port;
        if (port === undefined) return encodeError(q.t, KRPC_ERRORS.protocol, 'announce_peer needs port');
        this.#peers.add(infoHashToHex(q.infoHash), { ip: from.ip, port }, now);
        // Recorded only with a valid token: the sender really asked us from this address (no spoofing).
        this.#presence(q, from, now);
        return encodeResponse(q.t, this.id, {}, from);
      }
      default:
        return encodeError(q.t, KRPC_ERRORS.methodUnknown, 'Method Unknown');
    }
  }

  #closest(target: NodeId): NodeInfo[] {
    return this.table.closest(target, K).map((e) => ({ id: e.id, ip: e.ip, port: e.port }));
  }

  /** BEP 32: `nodes` and/or `nodes6` as `want` asks; without `want`, this node's own family. */
  #nodesFor(q: KrpcQuery, target: NodeId): { nodes?: NodeInfo[]; nodes6?: NodeInfo[] } {
    const own = this.family === 4 ? 'n4' : 'n6';
    const want = q.want && q.want.length > 0 ? q.want : [own];
    const pick = (w: 'n4' | 'n6'): NodeInfo[] | undefined => {
      if (!want.includes(w)) return undefined;
      if (w === own) return this.#closest(target);
      return this.#c.closestOther?.(target, K) ?? [];
    };
    const nodes = pick('n4'), nodes6 = pick('n6');
    return { ...(nodes ? { nodes } : {}), ...(nodes6 ? { nodes6 } : {}) };
  }

  /** Announced peers, and ourselves first when the infohash is one of our decoys. */
  #peersFor(infoHash: NodeId, now: number): NodeAddress[] {
    const hex = infoHashToHex(infoHash);
    const stored = this.#peers.get(hex, now);
    const port = this.#c.decoyFor(hex) !== null ? this.#c.peerPort() : null;
    if (port === null) return stored;
    const self = { ip: this.externalIp, port };
    return [self, ...stored.filter((p) => p.ip !== self.ip || p.port !== self.port)];
  }

  #presence(q: KrpcQuery, from: NodeAddress, now: number): void {
    const hex = infoHashToHex(q.infoHash!);
    const decoyId = this.#c.decoyFor(hex);
    if (decoyId === null) return;
    const port = q.q === 'announce_peer' ? (q.impliedPort ? from.port : q.port ?? from.port) : from.port;
    this.recordPresence(q.q === 'announce_peer' ? 'dht-announce-peer' : 'dht-get-peers', hex, decoyId, { ip: from.ip, port }, now);
  }

  /** Records a swarm-presence observation within the per-second budget; beyond it, counts it in an aggregate record. */
  recordPresence(source: SwarmPresenceObservation['source'], infoHash: string, decoyId: number | null, who: NodeAddress, now: number): void {
    const recorded = this.#presenceGate.offer({
      kind: 'swarm-presence', at: now, strength: 'weak', source, infoHash, decoyId,
      remoteIp: who.ip, remotePort: who.port, localIp: this.externalIp,
    }, source);
    if (!recorded) this.stats.aggregatedObservations++;
  }
}

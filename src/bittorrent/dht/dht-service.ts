import { lookup as dnsLookup } from 'node:dns/promises';
import type { Observation } from '../../domain/observation.ts';
import { InputError } from '../../domain/errors.ts';
import { ipFamily, isLabAddress } from '../../domain/ip-address.ts';
import type { FloodGateInit } from '../../observation/flood-gate.ts';
import { DhtAnnounceScheduler } from './announce-scheduler.ts';
import { bootstrap, parseNodeAddress, refresh } from './bootstrap.ts';
import type { NodeAddress, NodeInfo } from './compact.ts';
import { DhtNode } from './dht-node.ts';
import type { OpenUdp } from '../udp/udp-port.ts';

/** Well-known public routers: used ONLY in live mode with dht.publicBootstrap set. */
export const PUBLIC_BOOTSTRAP = ['router.bittorrent.com:6881', 'dht.transmissionbt.com:6881', 'router.utorrent.com:6881'] as const;
/** BEP 5: refresh buckets not touched for 15 minutes; we refresh a random region every 5. */
const REFRESH_MS = 5 * 60_000;

export interface DhtServiceInit {
  mode: 'lab' | 'live';
  /** One DHT node per local address, announcing that address's peer port. */
  addresses: readonly { host: string; peerPort: number }[];
  /** -1: the peer port number; 0: any free port. */
  port: number;
  bootstrap: readonly string[];
  publicBootstrap: boolean;
  readOnly: boolean;
  /** `v` of our DHT queries, as the presented client sends it; none when absent. */
  version?: Uint8Array;
  cycleMs: number;
  jitter: number;
  queriesPerSecond: number;
  perNodePerSecond: number;
  /** Swarm-presence records per second, per node; the rest are aggregated. */
  presenceRecords?: FloodGateInit;
}

export interface DhtServiceComponents {
  now(): number;
  decoyFor(infoHashHex: string): number | null;
  publish(o: Observation): void;
  log(msg: string): void;
  /** Opens each node's UDP port (shared with uTP on the peer port); absent: sockets of their own. */
  openUdp?: OpenUdp;
}

/** Lab mode joins only loopback, RFC 2544 and 2001:db8::/32 nodes; anything public needs live mode, explicitly. */
export function checkDhtNetworkSafety(init: Pick<DhtServiceInit, 'mode' | 'bootstrap' | 'publicBootstrap'>): void {
  if (init.mode === 'live') return;
  if (init.publicBootstrap) throw new InputError('--dht-public-bootstrap contacts public DHT routers; it needs --mode live');
  for (const b of init.bootstrap) {
    const { ip } = parseNodeAddress(b);
    if (!isLabAddress(ip)) {
      throw new InputError(`--dht-bootstrap ${b} is not a loopback/lab address; lab mode runs a local DHT only (use --mode live)`);
    }
  }
}

interface PerAddress { node: DhtNode; scheduler: DhtAnnounceScheduler }

/** The DHT side of a seed node: nodes, announce schedulers, bootstrap and the one refresh timer. */
export class DhtService {
  readonly #i: DhtServiceInit;
  readonly #c: DhtServiceComponents;
  readonly #per: PerAddress[] = [];
  readonly #stop = new AbortController();
  #refresh: NodeJS.Timeout | undefined;
  #joined: Promise<void> | undefined;

  constructor(init: DhtServiceInit, components: DhtServiceComponents) {
    checkDhtNetworkSafety(init);
    this.#i = init;
    this.#c = components;
  }

  get nodes(): readonly DhtNode[] { return this.#per.map((p) => p.node); }
  get schedulers(): readonly DhtAnnounceScheduler[] { return this.#per.map((p) => p.scheduler); }

  /**
   * Binds every address's node and starts joining the DHT in the background: decoys can be scheduled
   * at once, and the schedulers start announcing when the join is done (`joined`). Waiting for the
   * join here made a node's start-up wait for bootstrap replies or their time-outs (0.5-2.3 s).
   */
  async start(): Promise<NodeAddress[]> {
    const i = this.#i;
    for (const a of i.addresses) {
      const node: DhtNode = new DhtNode({
        host: a.host, port: i.port === -1 ? a.peerPort : i.port, readOnly: i.readOnly, ...(i.version ? { version: i.version } : {}),
        queriesPerSecond: i.queriesPerSecond, perDestinationPerSecond: i.perNodePerSecond,
        ...(i.presenceRecords && { presenceRecords: i.presenceRecords }),
      }, {
        now: this.#c.now, decoyFor: this.#c.decoyFor, peerPort: () => a.peerPort, publish: this.#c.publish, log: this.#c.log,
        ...(this.#c.openUdp && { openUdp: this.#c.openUdp }),
        // BEP 32 `want`: the sibling node of the other family on this host serves the other table.
        closestOther: (target, count): NodeInfo[] => this.#per.find((p) => p.node.family !== node.family)?.node.table.closest(target, count).map((e) => ({ id: e.id, ip: e.ip, port: e.port })) ?? [],
      });
      await node.start();
      const scheduler = new DhtAnnounceScheduler(
        { peerPort: a.peerPort, cycleMs: i.cycleMs, jitter: i.jitter },
        { node, self: { ip: a.host, port: a.peerPort }, now: this.#c.now, log: this.#c.log },
      );
      this.#per.push({ node, scheduler });
    }
    const own = this.#per.map((p) => p.node.address);
    this.#joined = this.#join(own).catch((e: Error) => this.#c.log(`dht join: ${e.message}`));
    return own;
  }

  /** Resolves when every node has bootstrapped and its scheduler announces (never rejects). */
  get joined(): Promise<void> { return this.#joined ?? Promise.resolve(); }

  async #join(own: readonly NodeAddress[]): Promise<void> {
    const i = this.#i;
    const entry = [...i.bootstrap.map(parseNodeAddress), ...(i.publicBootstrap ? await resolvePublic(this.#c.log) : [])];
    if (i.publicBootstrap) this.#c.log(`LIVE MODE: joining the public DHT through ${PUBLIC_BOOTSTRAP.join(', ')}`);
    // Our own nodes (several addresses) know each other too; each node joins through nodes of its own family (BEP 32).
    const sameFamily = (node: DhtNode, list: readonly NodeAddress[]) => list.filter((a) => ipFamily(a.ip) === node.family);
    await Promise.all(this.#per.map(({ node }) => bootstrap(node, sameFamily(node, [...entry, ...own.filter((o) => o !== node.address)]), { signal: this.#stop.signal })));
    if (this.#stop.signal.aborted) return;
    for (const p of this.#per) p.scheduler.start();
    this.#refresh = setInterval(() => {
      for (const p of this.#per) {
        const entryAgain = p.node.table.size < 8 ? bootstrap(p.node, sameFamily(p.node, entry), { signal: this.#stop.signal }) : refresh(p.node, { signal: this.#stop.signal });
        entryAgain.catch((e: Error) => this.#c.log(`dht refresh: ${e.message}`));
      }
    }, REFRESH_MS);
  }

  /**
   * Makes room for `n` decoys (before adding a node's decoys at start): each address gets its share
   * (see add), with a little slack for the uneven split.
   */
  reserve(n: number): void {
    for (const group of this.#groups()) for (const p of group) p.scheduler.reserve(Math.ceil((n / group.length) * 1.05) + 64);
  }

  /**
   * Schedules a decoy (new decoys go first) on ONE address of each family, chosen by its infohash:
   * one address can cover only so many decoys in a cycle under the per-destination politeness and
   * the query rate (docs/scale.md), so k addresses of a family cover k times as many. Each family's
   * DHT is a network of its own (BEP 32), so every decoy is announced once in each.
   */
  add(infoHashHex: string, decoyId: number): void {
    const spread = parseInt(infoHashHex.slice(0, 8), 16);
    for (const group of this.#groups()) group[spread % group.length]!.scheduler.add(infoHashHex, decoyId);
  }

  remove(infoHashHex: string): void {
    for (const p of this.#per) p.scheduler.remove(infoHashHex);
  }

  /** The address nodes grouped by family, in address order. */
  #groups(): PerAddress[][] {
    const v4 = this.#per.filter((p) => p.node.family === 4), v6 = this.#per.filter((p) => p.node.family === 6);
    return [v4, v6].filter((g) => g.length > 0);
  }

  async whenAllAnnounced(o: { signal?: AbortSignal } = {}): Promise<void> {
    await Promise.all(this.#per.map((p) => p.scheduler.whenAllAnnounced(o)));
  }

  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#joined;
    if (this.#refresh) clearInterval(this.#refresh);
    for (const p of this.#per) await p.scheduler.stop();
    for (const p of this.#per) await p.node.stop();
  }
}

async function resolvePublic(log: (m: string) => void): Promise<NodeAddress[]> {
  const out: NodeAddress[] = [];
  for (const hp of PUBLIC_BOOTSTRAP) {
    const [host = '', port = '6881'] = hp.split(':');
    try { out.push({ ip: (await dnsLookup(host, { family: 4 })).address, port: Number(port) }); } catch (e) { log(`dht bootstrap ${hp}: ${(e as Error).message}`); }
  }
  return out;
}

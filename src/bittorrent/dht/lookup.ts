import type { NodeAddress, NodeInfo } from './compact.ts';
import { DhtQueryError } from './errors.ts';
import type { KrpcResponse, QueryArgs } from './krpc.ts';
import { compareDistance, idHex, type NodeId } from './node-id.ts';
import { K } from './routing-table.ts';

/** What a lookup needs from a node: send a query, and mark nodes that time out. */
export interface LookupPort {
  readonly id: NodeId;
  query(to: NodeAddress, method: string, args: QueryArgs, o: { signal?: AbortSignal }): Promise<KrpcResponse>;
  failed(id: NodeId): void;
}

export interface LookupOptions {
  /** Start here: our routing table's closest nodes or a cached set. */
  readonly seeds: readonly NodeInfo[];
  /** BEP 5 suggests a small parallelism; 4 keeps per-destination bursts low. */
  readonly alpha?: number;
  readonly k?: number;
  /** Hard cap on queries per lookup: bounds time, traffic and memory. */
  readonly maxQueries?: number;
  /** Only query the seeds (a re-announce to cached closest nodes), no iteration. */
  readonly seedsOnly?: boolean;
  readonly signal?: AbortSignal;
}

export interface Responder { readonly node: NodeInfo; readonly token?: Uint8Array }

export interface LookupResult {
  /** The k closest nodes that answered, closest first, with their announce tokens (get_peers). */
  readonly closest: readonly Responder[];
  /** Peers listed in `values` replies (get_peers), deduplicated. */
  readonly peers: readonly NodeAddress[];
  readonly queries: number;
  readonly timeouts: number;
}

/** Most candidates remembered per lookup: memory per query stays fixed whatever peers reply. */
const MAX_CANDIDATES = 64;
const MAX_PEERS = 500;

/** Iterative get_peers / find_node lookup (BEP 5 "Kademlia" search) towards `target`. */
export async function lookup(port: LookupPort, target: NodeId, method: 'get_peers' | 'find_node', o: LookupOptions): Promise<LookupResult> {
  const alpha = o.alpha ?? 4;
  const k = o.k ?? K;
  const maxQueries = o.maxQueries ?? 48;
  const key = (n: NodeInfo) => `${idHex(n.id)}@${n.ip}:${n.port}`;
  const selfHex = idHex(port.id);
  let candidates: NodeInfo[] = [];
  const state = new Map<string, 'asked' | 'ok' | 'failed'>();
  const responders: Responder[] = [];
  const peers = new Map<string, NodeAddress>();
  let queries = 0;
  let timeouts = 0;

  const consider = (ns: readonly NodeInfo[]) => {
    for (const n of ns) {
      if (idHex(n.id) === selfHex || state.has(key(n)) || candidates.some((c) => key(c) === key(n))) continue;
      // Asked candidates stay in the list: they mark how far the search got.
      candidates.push(n);
    }
    candidates.sort((a, b) => compareDistance(target, a.id, b.id));
    if (candidates.length > MAX_CANDIDATES) candidates = candidates.slice(0, MAX_CANDIDATES);
  };
  consider(o.seeds);
  const args: QueryArgs = method === 'get_peers' ? { infoHash: target } : { target };

  await new Promise<void>((done) => {
    let inFlight = 0;
    const next = () => {
      if (o.signal?.aborted) { if (inFlight === 0) done(); return; }
      while (inFlight < alpha && queries < maxQueries) {
        const n = pick();
        if (!n) break;
        inFlight++; queries++;
        state.set(key(n), 'asked');
        port.query(n, method, args, o.signal ? { signal: o.signal } : {}).then((r) => {
          state.set(key(n), 'ok');
          responders.push({ node: { id: r.id, ip: n.ip, port: n.port }, ...(r.token ? { token: r.token } : {}) });
          for (const p of r.values) if (peers.size < MAX_PEERS) peers.set(`${p.ip}:${p.port}`, p);
          if (!o.seedsOnly) consider(r.nodes);
        }, (e: unknown) => {
          state.set(key(n), 'failed');
          if (e instanceof DhtQueryError && e.reason === 'timeout') { timeouts++; port.failed(n.id); }
        }).finally(() => { inFlight--; next(); });
      }
      if (inFlight === 0) done();
    };
    /** The closest not-yet-asked candidate, while it can still improve the k closest responders. */
    const pick = (): NodeInfo | undefined => {
      let answeredAhead = 0;
      for (const c of candidates) {
        const s = state.get(key(c));
        if (s === undefined) return c;
        if (s === 'ok' && ++answeredAhead >= k) return undefined;
      }
      return undefined;
    };
    next();
  });

  responders.sort((a, b) => compareDistance(target, a.node.id, b.node.id));
  return { closest: responders.slice(0, k), peers: [...peers.values()], queries, timeouts };
}

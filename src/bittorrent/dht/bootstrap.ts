import { ipFamily, normalizeIp } from '../../domain/ip-address.ts';
import type { NodeAddress, NodeInfo } from './compact.ts';
import { lookup, type LookupPort } from './lookup.ts';
import { K } from './routing-table.ts';
import { randomBytes } from 'node:crypto';

interface BootstrapPort extends LookupPort {
  readonly table: { readonly size: number; closest(target: Uint8Array, count?: number): NodeInfo[] };
}

/**
 * Joins the DHT through `entry` addresses (ids unknown): find_node for our own id at each, then
 * an iterative find_node from whatever they returned (BEP 5 "routing table" bootstrap).
 * Returns the routing table size afterwards.
 */
export async function bootstrap(node: BootstrapPort, entry: readonly NodeAddress[], o: { signal?: AbortSignal } = {}): Promise<number> {
  const seeds: NodeInfo[] = [];
  await Promise.all(entry.map(async (a) => {
    try {
      const r = await node.query(a, 'find_node', { target: node.id }, o);
      seeds.push({ id: r.id, ...a }, ...r.nodes);
    } catch { /* an unreachable entry node is skipped; the others may do */ }
  }));
  seeds.push(...node.table.closest(node.id, K));
  if (seeds.length > 0) await lookup(node, node.id, 'find_node', { seeds, ...(o.signal ? { signal: o.signal } : {}) });
  return node.table.size;
}

/** Refreshes the table with a lookup for a random id (BEP 5: refresh buckets not touched for 15 minutes). */
export async function refresh(node: BootstrapPort, o: { signal?: AbortSignal } = {}): Promise<number> {
  const target = new Uint8Array(randomBytes(20));
  const seeds = node.table.closest(target, K * 2);
  if (seeds.length > 0) await lookup(node, target, 'find_node', { seeds, ...(o.signal ? { signal: o.signal } : {}) });
  return node.table.size;
}

/** Parses "a.b.c.d:port" (IPv4) and "[v6]:port" (IPv6, BEP 32) bootstrap entries; the address in its one spelling. */
export function parseNodeAddress(s: string): NodeAddress {
  const m = /^(\d{1,3}(?:\.\d{1,3}){3}|\[[^\]]{2,64}\]):(\d{1,5})$/.exec(s);
  const ip = m ? normalizeIp(m[1]!.replace(/^\[|\]$/g, '')) : null;
  if (!m || ip === null || (m[1]!.startsWith('[') !== (ipFamily(ip) === 6)) || Number(m[2]) < 1 || Number(m[2]) > 65535) throw new RangeError(`not an IPv4 host:port or [IPv6]:port: ${s}`);
  return { ip, port: Number(m[2]) };
}

import { isIP } from 'node:net';
import { KrpcDecodeError } from './errors.ts';
import { ID_LENGTH, type NodeId } from './node-id.ts';

export interface NodeAddress { readonly ip: string; readonly port: number }
export interface NodeInfo extends NodeAddress { readonly id: NodeId }

/** BEP 5 "compact IP-address/port info": 4-byte IPv4 address, 2-byte port, network byte order. */
export const COMPACT_PEER = 6;
/** BEP 5 "compact node info": 20-byte id then compact peer info. */
export const COMPACT_NODE = ID_LENGTH + COMPACT_PEER;

export function encodePeer(a: NodeAddress, out = new Uint8Array(COMPACT_PEER), at = 0): Uint8Array {
  if (isIP(a.ip) !== 4) throw new RangeError(`compact peer info is IPv4 only (BEP 5), got ${a.ip}`);
  const parts = a.ip.split('.').map(Number);
  for (let i = 0; i < 4; i++) out[at + i] = parts[i]!;
  out[at + 4] = a.port >> 8;
  out[at + 5] = a.port & 0xff;
  return out;
}

export function decodePeer(b: Uint8Array, at = 0): NodeAddress {
  return { ip: `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`, port: (b[at + 4]! << 8) | b[at + 5]! };
}

export function encodeNodes(nodes: readonly NodeInfo[]): Uint8Array {
  const out = new Uint8Array(nodes.length * COMPACT_NODE);
  nodes.forEach((n, i) => {
    out.set(n.id, i * COMPACT_NODE);
    encodePeer(n, out, i * COMPACT_NODE + ID_LENGTH);
  });
  return out;
}

/** Decodes a `nodes` string; ports of 0 are dropped (nobody listens there). */
export function decodeNodes(b: Uint8Array, max: number): NodeInfo[] {
  if (b.length % COMPACT_NODE !== 0) throw new KrpcDecodeError('bad-nodes-length', String(b.length));
  const n = b.length / COMPACT_NODE;
  if (n > max) throw new KrpcDecodeError('too-many-nodes', String(n));
  const out: NodeInfo[] = [];
  for (let i = 0; i < n; i++) {
    const at = i * COMPACT_NODE;
    const peer = decodePeer(b, at + ID_LENGTH);
    if (peer.port !== 0) out.push({ id: b.slice(at, at + ID_LENGTH), ...peer });
  }
  return out;
}

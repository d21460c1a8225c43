import { formatIPv6, type IpFamily, parseIPv4, parseIPv6 } from '../../domain/ip-address.ts';
import { KrpcDecodeError } from './errors.ts';
import { ID_LENGTH, type NodeId } from './node-id.ts';

export interface NodeAddress { readonly ip: string; readonly port: number }
export interface NodeInfo extends NodeAddress { readonly id: NodeId }

/** BEP 5 "compact IP-address/port info": 4-byte IPv4 address, 2-byte port, network byte order. */
export const COMPACT_PEER = 6;
/** BEP 32: the IPv6 form, 16-byte address then 2-byte port. */
export const COMPACT_PEER6 = 18;
/** BEP 5 "compact node info": 20-byte id then compact peer info. */
export const COMPACT_NODE = ID_LENGTH + COMPACT_PEER;
/** BEP 32 `nodes6` entry: 20-byte id, 16-byte address, 2-byte port. */
export const COMPACT_NODE6 = ID_LENGTH + COMPACT_PEER6;

export const compactPeerSize = (family: IpFamily): number => (family === 4 ? COMPACT_PEER : COMPACT_PEER6);
export const compactNodeSize = (family: IpFamily): number => (family === 4 ? COMPACT_NODE : COMPACT_NODE6);

/** The compact form of an address: 6 bytes for IPv4 (BEP 5), 18 for IPv6 (BEP 32); `family` asserts which. */
export function encodePeer(a: NodeAddress, out?: Uint8Array, at = 0, family?: IpFamily): Uint8Array {
  const v4 = parseIPv4(a.ip);
  const raw = v4 ?? parseIPv6(a.ip);
  if (raw === null || (family !== undefined && raw.length !== compactPeerSize(family) - 2)) {
    throw new RangeError(`compact peer info ${family === undefined ? '' : `(IPv${family}) `}needs an address of that family, got ${a.ip}`);
  }
  const buf = out ?? new Uint8Array(raw.length + 2);
  buf.set(raw, at);
  buf[at + raw.length] = a.port >> 8;
  buf[at + raw.length + 1] = a.port & 0xff;
  return buf;
}

/** Reads a compact address of the given family (IPv6 in RFC 5952 form). */
export function decodePeer(b: Uint8Array, at = 0, family: IpFamily = 4): NodeAddress {
  if (family === 4) return { ip: `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`, port: (b[at + 4]! << 8) | b[at + 5]! };
  return { ip: formatIPv6(b, at), port: (b[at + 16]! << 8) | b[at + 17]! };
}

/** `nodes` (IPv4, BEP 5) or `nodes6` (IPv6, BEP 32); every node must be of that family. */
export function encodeNodes(nodes: readonly NodeInfo[], family: IpFamily = 4): Uint8Array {
  const size = compactNodeSize(family);
  const out = new Uint8Array(nodes.length * size);
  nodes.forEach((n, i) => {
    out.set(n.id, i * size);
    encodePeer(n, out, i * size + ID_LENGTH, family);
  });
  return out;
}

/** Decodes a `nodes` or `nodes6` string; ports of 0 are dropped (nobody listens there). */
export function decodeNodes(b: Uint8Array, max: number, family: IpFamily = 4): NodeInfo[] {
  const size = compactNodeSize(family);
  if (b.length % size !== 0) throw new KrpcDecodeError(family === 4 ? 'bad-nodes-length' : 'bad-nodes6-length', String(b.length));
  const n = b.length / size;
  if (n > max) throw new KrpcDecodeError('too-many-nodes', String(n));
  const out: NodeInfo[] = [];
  for (let i = 0; i < n; i++) {
    const at = i * size;
    const peer = decodePeer(b, at + ID_LENGTH, family);
    if (peer.port !== 0) out.push({ id: b.slice(at, at + ID_LENGTH), ...peer });
  }
  return out;
}

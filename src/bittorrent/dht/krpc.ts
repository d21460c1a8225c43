import { type BDict, type BValue, BencodeError, decode, encode, getBytes, getDict, getInt, isDict } from '../../bencode/index.ts';
import { COMPACT_PEER, COMPACT_PEER6, decodeNodes, decodePeer, encodeNodes, encodePeer, type NodeAddress, type NodeInfo } from './compact.ts';
import { KrpcDecodeError } from './errors.ts';
import { ID_LENGTH, type NodeId } from './node-id.ts';

/** Largest datagram we read or write: KRPC replies fit one Ethernet MTU in practice. */
export const MAX_PACKET = 1500;
const LIMITS = { maxDepth: 4, maxItems: 512, maxStringLength: MAX_PACKET };
/** Transaction ids are opaque but short (BEP 5 suggests 2 bytes); longer ones only waste our memory. */
const MAX_TID = 16;
const MAX_TOKEN = 64;
const MAX_NODES = 16;
const MAX_VALUES = 200;
const MAX_VERSION = 16;
const MAX_ERROR_TEXT = 256;

/** BEP 5 error codes. */
export const KRPC_ERRORS = { generic: 201, server: 202, protocol: 203, methodUnknown: 204 } as const;

export interface KrpcQuery {
  readonly y: 'q';
  readonly t: Uint8Array;
  /** Method name; unknown methods decode too, so we can answer 204. */
  readonly q: string;
  readonly id: NodeId;
  readonly target?: NodeId;
  readonly infoHash?: NodeId;
  readonly port?: number;
  readonly token?: Uint8Array;
  /** BEP 5 announce_peer `implied_port`: use the UDP source port instead of `port`. */
  readonly impliedPort: boolean;
  /** BEP 43: the sender is read-only and must not be put in routing tables. */
  readonly readOnly: boolean;
  /** BEP 32 `want`: the node families asked for ("n4", "n6"); absent: the family the query came over. */
  readonly want?: readonly ('n4' | 'n6')[];
}

export interface KrpcResponse {
  readonly y: 'r';
  readonly t: Uint8Array;
  readonly id: NodeId;
  /** BEP 5 `nodes` (IPv4). */
  readonly nodes: readonly NodeInfo[];
  /** BEP 32 `nodes6` (IPv6). */
  readonly nodes6?: readonly NodeInfo[];
  /** Peers of either family (6-byte IPv4 and 18-byte IPv6 entries, BEP 32). */
  readonly values: readonly NodeAddress[];
  readonly token?: Uint8Array;
  /** BEP 42: our address as the responder sees it. */
  readonly ip?: NodeAddress;
}

export interface KrpcErrorReply {
  readonly y: 'e';
  readonly t: Uint8Array;
  readonly code: number;
  readonly message: string;
}

export type KrpcMessage = KrpcQuery | KrpcResponse | KrpcErrorReply;

export function decodeKrpc(packet: Uint8Array): KrpcMessage {
  if (packet.length > MAX_PACKET) throw new KrpcDecodeError('packet-too-large', String(packet.length));
  let root: BValue;
  try { root = decode(packet, LIMITS); } catch (e) { throw new KrpcDecodeError('bad-bencode', (e as Error).message); }
  if (!isDict(root)) throw new KrpcDecodeError('not-a-dict');
  try {
    const t = getBytes(root, 't');
    if (t === undefined || t.length > MAX_TID) throw new KrpcDecodeError('bad-transaction-id');
    const y = getBytes(root, 'y');
    const kind = y === undefined ? '' : Buffer.from(y).toString('latin1');
    if (kind === 'q') return decodeQuery(root, t);
    if (kind === 'r') return decodeResponse(root, t);
    if (kind === 'e') return decodeError(root, t);
    throw new KrpcDecodeError('bad-message-type', kind);
  } catch (e) {
    if (e instanceof BencodeError) throw new KrpcDecodeError('bad-field', e.message);
    throw e;
  }
}

function id20(d: BDict, key: string, required: true): NodeId;
function id20(d: BDict, key: string, required: false): NodeId | undefined;
function id20(d: BDict, key: string, required: boolean): NodeId | undefined {
  const v = getBytes(d, key);
  if (v === undefined) { if (required) throw new KrpcDecodeError(`missing-${key}`); return undefined; }
  if (v.length !== ID_LENGTH) throw new KrpcDecodeError(`bad-${key}-length`, String(v.length));
  return v;
}

function decodeQuery(root: BDict, t: Uint8Array): KrpcQuery {
  const q = getBytes(root, 'q');
  const a = getDict(root, 'a');
  if (q === undefined || q.length > 32) throw new KrpcDecodeError('bad-method');
  if (a === undefined) throw new KrpcDecodeError('missing-arguments');
  const port = getInt(a, 'port');
  if (port !== undefined && (port < 1 || port > 65535)) throw new KrpcDecodeError('bad-port', String(port));
  const token = getBytes(a, 'token');
  if (token !== undefined && token.length > MAX_TOKEN) throw new KrpcDecodeError('token-too-long');
  const target = id20(a, 'target', false);
  const infoHash = id20(a, 'info_hash', false);
  const want = decodeWant(a.get('want'));
  return {
    y: 'q', t, q: Buffer.from(q).toString('latin1'), id: id20(a, 'id', true),
    ...(target ? { target } : {}), ...(infoHash ? { infoHash } : {}), ...(port !== undefined ? { port } : {}), ...(token ? { token } : {}),
    impliedPort: getInt(a, 'implied_port') === 1,
    readOnly: getInt(root, 'ro') === 1,
    ...(want ? { want } : {}),
  };
}

/** BEP 32 `want`: a short list of "n4"/"n6"; anything else in it is ignored, a non-list is refused. */
function decodeWant(v: BValue | undefined): ('n4' | 'n6')[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.length > 8) throw new KrpcDecodeError('bad-want');
  const out = new Set<'n4' | 'n6'>();
  for (const w of v) {
    const s = w instanceof Uint8Array ? Buffer.from(w).toString('latin1') : '';
    if (s === 'n4' || s === 'n6') out.add(s);
  }
  return [...out];
}

function decodeResponse(root: BDict, t: Uint8Array): KrpcResponse {
  const r = getDict(root, 'r');
  if (r === undefined) throw new KrpcDecodeError('missing-response');
  const nodesRaw = getBytes(r, 'nodes');
  const nodes6Raw = getBytes(r, 'nodes6');
  const token = getBytes(r, 'token');
  if (token !== undefined && token.length > MAX_TOKEN) throw new KrpcDecodeError('token-too-long');
  const ipRaw = getBytes(root, 'ip');
  return {
    y: 'r', t, id: id20(r, 'id', true),
    nodes: nodesRaw ? decodeNodes(nodesRaw, MAX_NODES, 4) : [],
    nodes6: nodes6Raw ? decodeNodes(nodes6Raw, MAX_NODES, 6) : [],
    values: decodeValues(r.get('values')),
    ...(token ? { token } : {}),
    ...(ipRaw && ipRaw.length === COMPACT_PEER ? { ip: decodePeer(ipRaw, 0, 4) } : {}),
    ...(ipRaw && ipRaw.length === COMPACT_PEER6 ? { ip: decodePeer(ipRaw, 0, 6) } : {}),
  };
}

/** `values` is a list of compact peer strings: 6-byte IPv4 (BEP 5) or 18-byte IPv6 (BEP 32); other lengths are skipped. */
function decodeValues(v: BValue | undefined): NodeAddress[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new KrpcDecodeError('bad-values');
  if (v.length > MAX_VALUES) throw new KrpcDecodeError('too-many-values', String(v.length));
  const out: NodeAddress[] = [];
  for (const item of v) {
    if (!(item instanceof Uint8Array)) throw new KrpcDecodeError('bad-values');
    const family = item.length === COMPACT_PEER ? 4 : item.length === COMPACT_PEER6 ? 6 : 0;
    if (family === 0) continue;
    const p = decodePeer(item, 0, family);
    if (p.port !== 0) out.push(p);
  }
  return out;
}

function decodeError(root: BDict, t: Uint8Array): KrpcErrorReply {
  const e = root.get('e');
  if (!Array.isArray(e) || e.length < 1) throw new KrpcDecodeError('bad-error');
  const [code, msg] = e;
  if (typeof code !== 'number') throw new KrpcDecodeError('bad-error-code');
  const message = msg instanceof Uint8Array ? Buffer.from(msg.subarray(0, MAX_ERROR_TEXT)).toString('utf8') : '';
  return { y: 'e', t, code, message };
}

export interface QueryArgs {
  readonly target?: NodeId;
  readonly infoHash?: NodeId;
  readonly port?: number;
  readonly token?: Uint8Array;
  readonly impliedPort?: boolean;
  /** BEP 32: ask for these node families. */
  readonly want?: readonly ('n4' | 'n6')[];
}

export function encodeQuery(t: Uint8Array, method: string, id: NodeId, args: QueryArgs = {}, o: { readOnly?: boolean; version?: Uint8Array } = {}): Uint8Array {
  return encode({
    t, y: 'q', q: method,
    a: {
      id, target: args.target, info_hash: args.infoHash, port: args.port, token: args.token,
      implied_port: args.impliedPort === undefined ? undefined : args.impliedPort ? 1 : 0,
      want: args.want ? [...args.want] : undefined,
    },
    ro: o.readOnly ? 1 : undefined,
    v: o.version?.subarray(0, MAX_VERSION),
  });
}

export interface ResponseBody {
  readonly nodes?: readonly NodeInfo[];
  /** BEP 32: IPv6 nodes. */
  readonly nodes6?: readonly NodeInfo[];
  readonly values?: readonly NodeAddress[];
  readonly token?: Uint8Array;
}

/** `to` is echoed as BEP 42 `ip`, so the querier learns its external address. */
export function encodeResponse(t: Uint8Array, id: NodeId, body: ResponseBody, to?: NodeAddress): Uint8Array {
  return encode({
    t, y: 'r',
    r: {
      id, token: body.token,
      nodes: body.nodes ? encodeNodes(body.nodes, 4) : undefined,
      nodes6: body.nodes6 ? encodeNodes(body.nodes6, 6) : undefined,
      values: body.values ? body.values.map((p) => encodePeer(p)) : undefined,
    },
    ip: to ? encodePeer(to) : undefined,
  });
}

export function encodeError(t: Uint8Array, code: number, message: string): Uint8Array {
  return encode({ t, y: 'e', e: [code, message] });
}

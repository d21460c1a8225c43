import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { crc32c } from './crc32c.ts';
import { DhtConfigError } from './errors.ts';

/** A 160-bit DHT node id or infohash (BEP 5: same keyspace). */
export type NodeId = Uint8Array;
export const ID_LENGTH = 20;

// BEP 42: only these bits of the address enter the CRC, so a /24 (v4) cannot mint arbitrary ids.
const V4_MASK = [0x03, 0x0f, 0x3f, 0xff];
const V6_MASK = [0x01, 0x03, 0x07, 0x0f, 0x1f, 0x3f, 0x7f, 0xff];

/** BEP 42 section "Node ID restriction": addresses on local networks are exempt. */
export function isBep42Exempt(ip: string): boolean {
  if (isIP(ip) === 4) {
    const [a = 0, b = 0] = ip.split('.').map(Number);
    return a === 10 || a === 127 || (a === 172 && b >= 16 && b < 32) || (a === 192 && b === 168) || (a === 169 && b === 254);
  }
  return ip === '::1';
}

function addressBytes(ip: string): Uint8Array {
  const v = isIP(ip);
  if (v === 4) return Uint8Array.from(ip.split('.').map(Number));
  if (v === 6) return ipv6Bytes(ip);
  throw new DhtConfigError(`not an IP address: ${ip}`);
}

function ipv6Bytes(ip: string): Uint8Array {
  const [head = '', tail] = ip.split('::');
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  const out = new Uint8Array(16);
  groups.forEach((g, i) => { const n = parseInt(g, 16); out[2 * i] = n >> 8; out[2 * i + 1] = n & 0xff; });
  return out;
}

/** The 21 (v4) or 21 (v6) leading bits BEP 42 fixes for `ip` and the 3-bit `r`. */
function prefixCrc(ip: string, r: number): number {
  const a = addressBytes(ip);
  const mask = a.length === 4 ? V4_MASK : V6_MASK;
  const m = new Uint8Array(mask.length);
  for (let i = 0; i < mask.length; i++) m[i] = a[i]! & mask[i]!;
  m[0] = m[0]! | ((r & 0x07) << 5);
  return crc32c(m);
}

/** BEP 42 node id for an external address; `rand` (0..255) becomes the last byte, its low 3 bits enter the CRC. */
export function bep42NodeId(ip: string, rand = randomBytes(1)[0]!, fill: Uint8Array = randomBytes(ID_LENGTH)): NodeId {
  const crc = prefixCrc(ip, rand);
  const id = Uint8Array.from(fill.subarray(0, ID_LENGTH));
  id[0] = (crc >>> 24) & 0xff;
  id[1] = (crc >>> 16) & 0xff;
  id[2] = ((crc >>> 8) & 0xf8) | (id[2]! & 0x07);
  id[19] = rand & 0xff;
  return id;
}

/** Whether `id` is a valid BEP 42 id for `ip` (exempt addresses always pass). */
export function isBep42Valid(id: NodeId, ip: string): boolean {
  if (id.length !== ID_LENGTH) return false;
  if (isBep42Exempt(ip)) return true;
  const crc = prefixCrc(ip, id[19]!);
  return id[0] === ((crc >>> 24) & 0xff) && id[1] === ((crc >>> 16) & 0xff) && (id[2]! & 0xf8) === ((crc >>> 8) & 0xf8);
}

/** Number of leading bits `a` and `b` share (0..160): the k-bucket index relative to our own id. */
export function commonPrefixBits(a: NodeId, b: NodeId): number {
  for (let i = 0; i < ID_LENGTH; i++) {
    const x = a[i]! ^ b[i]!;
    if (x !== 0) return i * 8 + Math.clz32(x) - 24;
  }
  return ID_LENGTH * 8;
}

/** Compares XOR distances to `target`: negative when `a` is closer (BEP 5 metric). */
export function compareDistance(target: NodeId, a: NodeId, b: NodeId): number {
  for (let i = 0; i < ID_LENGTH; i++) {
    const da = a[i]! ^ target[i]!;
    const db = b[i]! ^ target[i]!;
    if (da !== db) return da - db;
  }
  return 0;
}

export function idHex(id: NodeId): string {
  return Buffer.from(id).toString('hex');
}

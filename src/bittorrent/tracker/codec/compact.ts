import { TrackerCodecError } from './errors.ts';
import { formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from './ip.ts';
import type { PeerAddress } from './types.ts';

/** BEP 23: 4-byte address + 2-byte port; BEP 7: 16-byte address + 2-byte port. */
export const COMPACT_V4_LEN = 6;
export const COMPACT_V6_LEN = 18;
/** More peers than any tracker returns in one response (cf. numwant caps of 50-200). */
export const DEFAULT_MAX_COMPACT_PEERS = 10_000;

export type IpFamily = 4 | 6;

/** Encodes the peers of one family; peers of the other family or with port 0 are skipped. */
export function encodeCompactPeers(peers: readonly PeerAddress[], family: IpFamily): Uint8Array {
  const size = family === 4 ? COMPACT_V4_LEN : COMPACT_V6_LEN;
  const out = new Uint8Array(peers.length * size);
  let n = 0;
  for (const p of peers) {
    if (!Number.isInteger(p.port) || p.port < 1 || p.port > 0xffff) continue;
    const addr = family === 4 ? parseIPv4(p.ip) : parseIPv6(p.ip);
    if (addr === null) continue;
    out.set(addr, n);
    out[n + size - 2] = p.port >> 8;
    out[n + size - 1] = p.port & 0xff;
    n += size;
  }
  return out.subarray(0, n);
}

export function decodeCompactPeers(bytes: Uint8Array, family: IpFamily, maxPeers = DEFAULT_MAX_COMPACT_PEERS): PeerAddress[] {
  const size = family === 4 ? COMPACT_V4_LEN : COMPACT_V6_LEN;
  if (bytes.length % size !== 0) {
    throw new TrackerCodecError('compact-length', `compact IPv${family} peer list length ${bytes.length} is not a multiple of ${size}`);
  }
  const count = bytes.length / size;
  if (count > maxPeers) throw new TrackerCodecError('too-many-peers', `${count} peers exceed the limit of ${maxPeers}`);
  const out: PeerAddress[] = [];
  for (let o = 0; o < bytes.length; o += size) {
    const ip = family === 4 ? formatIPv4(bytes, o) : formatIPv6(bytes, o);
    out.push({ ip, port: (bytes[o + size - 2]! << 8) | bytes[o + size - 1]! });
  }
  return out;
}

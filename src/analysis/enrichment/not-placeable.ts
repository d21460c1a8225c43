import { ipv4ToNumber, ipv6ToBigInt } from './ip-address.ts';

/**
 * Addresses no database may place (issue 11: "never invent a place for them"). Each has the
 * RFC that reserves it, so a reader can check the list. 100.64.0.0/10 is carrier-grade NAT's
 * shared space (RFC 6598): it only appears behind an ISP's NAT, never as a public source.
 */
const V4: readonly [string, number, string][] = [
  ['0.0.0.0', 8, 'this network (RFC 791)'],
  ['10.0.0.0', 8, 'private (RFC 1918)'],
  ['100.64.0.0', 10, 'CGNAT shared space (RFC 6598)'],
  ['127.0.0.0', 8, 'loopback (RFC 1122)'],
  ['169.254.0.0', 16, 'link-local (RFC 3927)'],
  ['172.16.0.0', 12, 'private (RFC 1918)'],
  ['192.0.0.0', 24, 'IETF protocol assignments (RFC 6890)'],
  ['192.0.2.0', 24, 'documentation (RFC 5737)'],
  ['192.168.0.0', 16, 'private (RFC 1918)'],
  ['198.18.0.0', 15, 'benchmarking (RFC 2544)'],
  ['198.51.100.0', 24, 'documentation (RFC 5737)'],
  ['203.0.113.0', 24, 'documentation (RFC 5737)'],
  ['224.0.0.0', 4, 'multicast (RFC 5771)'],
  ['240.0.0.0', 4, 'reserved (RFC 1112)'],
];
const V6: readonly [string, number, string][] = [
  ['::', 128, 'unspecified (RFC 4291)'],
  ['::1', 128, 'loopback (RFC 4291)'],
  ['64:ff9b:1::', 48, 'local NAT64 (RFC 8215)'],
  ['100::', 64, 'discard-only (RFC 6666)'],
  ['2001:2::', 48, 'benchmarking (RFC 5180)'],
  ['2001:db8::', 32, 'documentation (RFC 3849)'],
  ['3fff::', 20, 'documentation (RFC 9637)'],
  ['fc00::', 7, 'unique local (RFC 4193)'],
  ['fe80::', 10, 'link-local (RFC 4291)'],
  ['ff00::', 8, 'multicast (RFC 4291)'],
];

const v4 = V4.map(([net, bits, why]) => ({ start: ipv4ToNumber(net), size: 2 ** (32 - bits), why }));
const v6 = V6.map(([net, bits, why]) => ({ start: ipv6ToBigInt(net), shift: BigInt(128 - bits), why }));

/** notPlaceableReason of an IPv4 address given as its 32-bit number. */
export function notPlaceableV4(n: number): string | undefined {
  for (const r of v4) if (n >= r.start && n < r.start + r.size) return r.why;
  return undefined;
}

/** Why an address cannot be placed, or undefined if a database may try. `ip` is normalised. */
export function notPlaceableReason(ip: string): string | undefined {
  if (!ip.includes(':')) return notPlaceableV4(ipv4ToNumber(ip));
  const n = ipv6ToBigInt(ip);
  for (const r of v6) if (n >> r.shift === r.start >> r.shift) return r.why;
  return undefined;
}

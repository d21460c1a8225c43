import { formatIPv6, parseIp } from '../domain/ip-address.ts';

/**
 * The source network an address belongs to for limits and aggregates: its /24 (IPv4) or /48 (IPv6).
 * One subscriber usually holds a whole /48 (RFC 6177) and cheap IPv4 floods come from one /24, so
 * these are the units a flood is counted and limited in. Unparsable input maps to itself with
 * length 0 (it is still counted, never thrown away).
 */
export interface SourcePrefix {
  /** Network address, e.g. "198.51.100.0" or "2001:db8:1::". */
  readonly network: string;
  readonly length: 24 | 48 | 0;
}

export function sourcePrefix(ip: string): SourcePrefix {
  const p = parseIp(ip);
  if (p === null) return { network: ip, length: 0 };
  if (p.family === 4) return { network: `${p.bytes[0]}.${p.bytes[1]}.${p.bytes[2]}.0`, length: 24 };
  const net = new Uint8Array(16);
  net.set(p.bytes.subarray(0, 6));
  return { network: formatIPv6(net), length: 48 };
}

import { isIPv4, isIPv6 } from 'node:net';

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
  const v4 = ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip;
  if (isIPv4(v4)) return { network: `${v4.slice(0, v4.lastIndexOf('.'))}.0`, length: 24 };
  if (isIPv6(ip)) {
    const g = ipv6Groups(ip);
    return { network: `${g[0]!.toString(16)}:${g[1]!.toString(16)}:${g[2]!.toString(16)}::`, length: 48 };
  }
  return { network: ip, length: 0 };
}

/** The eight 16-bit groups of a valid IPv6 address (`::` expanded, a dotted IPv4 tail read as two groups). */
function ipv6Groups(ip: string): number[] {
  const zone = ip.indexOf('%');
  let s = zone < 0 ? ip : ip.slice(0, zone);
  const tail = s.lastIndexOf(':');
  if (s.includes('.', tail)) {
    const [a, b, c, d] = s.slice(tail + 1).split('.').map(Number) as [number, number, number, number];
    s = `${s.slice(0, tail + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, rest] = s.includes('::') ? s.split('::') as [string, string] : [s, undefined];
  const h = head === '' ? [] : head.split(':');
  const r = rest === undefined || rest === '' ? [] : rest.split(':');
  const groups = [...h, ...new Array<string>(rest === undefined ? 0 : 8 - h.length - r.length).fill('0'), ...r];
  return groups.map((x) => parseInt(x, 16));
}

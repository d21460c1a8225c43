import { isIP } from 'node:net';

/** An address in the one form every table keys on: IPv4 dotted, IPv6 lower-case compressed, v4-mapped IPv6 as IPv4. */
export function normalizeIp(text: string): string | undefined {
  if (isCanonicalIpv4(text)) return text; // the common case, without allocating (bench/enrichment.bench.ts target)
  const t = text.trim().replace(/^\[|\]$/g, '');
  const v = isIP(t);
  if (v === 4) return t.split('.').map((o) => String(Number(o))).join('.');
  if (v !== 6) return undefined;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(t);
  if (mapped) return normalizeIp(mapped[1]!);
  // URL's host parser does RFC 5952 compression for us.
  return new URL(`http://[${t}]/`).hostname.slice(1, -1).toLowerCase();
}

/** IPv4 dotted quad -> unsigned 32-bit number (caller has normalised it). */
export function ipv4ToNumber(ip: string): number {
  let n = 0;
  let part = 0;
  for (let i = 0; i < ip.length; i++) {
    const c = ip.charCodeAt(i);
    if (c === 46) { n = n * 256 + part; part = 0; } else part = part * 10 + (c - 48);
  }
  return n * 256 + part;
}

export function numberToIpv4(n: number): string {
  return `${Math.floor(n / 16777216) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/** IPv6 text -> 128-bit bigint. */
export function ipv6ToBigInt(ip: string): bigint {
  const [head, tail] = ip.includes('::') ? ip.split('::') as [string, string] : [ip, undefined];
  const parse = (s: string) => (s === '' ? [] : s.split(':'));
  let groups = parse(head);
  if (tail !== undefined) {
    const t = parse(tail);
    groups = [...groups, ...Array<string>(8 - groups.length - t.length).fill('0'), ...t];
  }
  let n = 0n;
  for (const g of groups) n = (n << 16n) | BigInt(parseInt(g, 16));
  return n;
}

export function bigIntToIpv6(n: bigint): string {
  const groups: string[] = [];
  for (let i = 7; i >= 0; i--) groups.push(((n >> BigInt(i * 16)) & 0xffffn).toString(16));
  return normalizeIp(groups.join(':'))!;
}

/**
 * The 32-bit number of an IPv4 address already in normal form (four decimal octets 0-255, no
 * leading zeros), or -1 for anything else: one pass, no allocation (enrichment's hot path).
 */
export function canonicalIpv4Number(s: string): number {
  let dots = 0;
  let octet = 0;
  let digits = 0;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || ++dots > 3) return -1;
      n = n * 256 + octet;
      octet = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && octet === 0) return -1; // leading zero
      octet = octet * 10 + (c - 48);
      if (++digits > 3 || octet > 255) return -1;
    } else return -1;
  }
  return dots === 3 && digits > 0 ? n * 256 + octet : -1;
}

/** Four decimal octets 0-255 without leading zeros: already in normal form. */
function isCanonicalIpv4(s: string): boolean {
  let dots = 0;
  let octet = 0;
  let digits = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || ++dots > 3) return false;
      octet = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && octet === 0) return false; // leading zero
      octet = octet * 10 + (c - 48);
      if (++digits > 3 || octet > 255) return false;
    } else return false;
  }
  return dots === 3 && digits > 0;
}

/**
 * THE one spelling of an IP address, used by every record, filter, export and limit (issue 10 item 2):
 *
 * - IPv4 as dotted decimal without leading zeros (a leading zero is refused: `010.0.0.1` means 8.0.0.1
 *   to inet_aton and 10.0.0.1 to a person, and evidence must not guess);
 * - IPv6 per RFC 5952 section 4: lower case, no leading zeros in a group, the longest run of two or
 *   more zero groups (the first of equal runs) written `::`, no embedded dotted quad;
 * - an IPv4-mapped IPv6 address (`::ffff:a.b.c.d` or `::ffff:c612:2`, RFC 4291 section 2.5.5.2, what a
 *   dual-stack socket reports for an IPv4 peer) as its IPv4 address, so one peer has one identity;
 * - a zoned address (`fe80::1%eth0`, RFC 4007) keeps its zone, in lower case, after the canonical address.
 *
 * Accepted spellings: any RFC 4291 text form (upper case, leading zeros in groups, `::` anywhere, a
 * dotted quad as the last 32 bits). Nothing else: no host names, no ports, no decimal or hex IPv4
 * integers. What an operator types (normalizeIpInput) may also be in brackets (`[2001:db8::1]`, as in
 * URLs) and have white space around it; a stored record's text may not (normalizeIp).
 * verifier/verify.mjs ipKey() writes the same spelling (test/unit/domain/ip-address.test.ts checks it).
 */

export type IpFamily = 4 | 6;

const V4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const HEXGROUP = /^[0-9a-fA-F]{1,4}$/;
/** RFC 4007 section 11.2 zone: the characters node:net isIP() accepts, so the verifier keys the same records. */
const ZONE = /^[0-9A-Za-z.:-]+$/;

/** True for strict dotted-decimal IPv4 text, which is its own canonical spelling (the fast path of bulk imports). */
export function isCanonicalIPv4(s: string): boolean {
  return V4.test(s);
}

/** Network-order bytes of a strict dotted-decimal IPv4 address, or null. */
export function parseIPv4(s: string): Uint8Array | null {
  if (!V4.test(s)) return null;
  return Uint8Array.from(s.split('.'), Number);
}

export function formatIPv4(b: Uint8Array, offset = 0): string {
  return `${b[offset]}.${b[offset + 1]}.${b[offset + 2]}.${b[offset + 3]}`;
}

/** The 16 bytes of an IPv6 text address (RFC 4291 section 2.2, no zone), or null. */
export function parseIPv6(s: string): Uint8Array | null {
  // Longest literal: 8 groups of 4 hex digits and 7 colons = 39; with an embedded IPv4, 45.
  if (s.length < 2 || s.length > 45) return null;
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const head = halves[0] === '' ? [] : halves[0]!.split(':');
  const tail = halves.length === 2 ? (halves[1] === '' ? [] : halves[1]!.split(':')) : [];
  const words: number[] = [];
  const tailWords: number[] = [];
  if (!pushGroups(head, words, halves.length === 1) || !pushGroups(tail, tailWords, true)) return null;
  const total = words.length + tailWords.length;
  if (halves.length === 1 ? total !== 8 : total > 7) return null;
  const all = [...words, ...new Array<number>(8 - total).fill(0), ...tailWords];
  const out = new Uint8Array(16);
  all.forEach((w, i) => { out[2 * i] = w >> 8; out[2 * i + 1] = w & 0xff; });
  return out;
}

/** Appends 16-bit groups; an embedded dotted IPv4 (RFC 4291 2.2) is allowed only as the last group. */
function pushGroups(groups: string[], out: number[], lastMayBeV4: boolean): boolean {
  for (let i = 0; i < groups.length; i++) {
    const g = groups[i]!;
    if (HEXGROUP.test(g)) { out.push(parseInt(g, 16)); continue; }
    const v4 = lastMayBeV4 && i === groups.length - 1 ? parseIPv4(g) : null;
    if (v4 === null) return false;
    out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
  }
  return true;
}

/** RFC 5952 canonical text of 16 bytes: lowercase, no leading zeros, longest run (>= 2) of zero groups as `::`. */
export function formatIPv6(b: Uint8Array, offset = 0): string {
  const w: number[] = [];
  for (let i = 0; i < 8; i++) w.push((b[offset + 2 * i]! << 8) | b[offset + 2 * i + 1]!);
  let bestAt = -1, bestLen = 1;
  for (let i = 0; i < 8;) {
    if (w[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > bestLen) { bestAt = i; bestLen = j - i; }
    i = j;
  }
  const hex = (xs: number[]): string => xs.map((x) => x.toString(16)).join(':');
  if (bestAt < 0) return hex(w);
  return `${hex(w.slice(0, bestAt))}::${hex(w.slice(bestAt + bestLen))}`;
}

/** True for ::ffff:0:0/96 (RFC 4291 section 2.5.5.2). */
function isV4Mapped(b: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (b[i] !== 0) return false;
  return b[10] === 0xff && b[11] === 0xff;
}

export interface ParsedIp {
  readonly family: IpFamily;
  /** 4 or 16 network-order bytes; an IPv4-mapped IPv6 address is given as its 4 IPv4 bytes. */
  readonly bytes: Uint8Array;
  /** RFC 4007 zone, IPv6 only. */
  readonly zone?: string;
}

/** Parses any accepted spelling (see the file comment), or null. */
export function parseIp(s: string): ParsedIp | null {
  const v4 = parseIPv4(s);
  if (v4 !== null) return { family: 4, bytes: v4 };
  const pct = s.indexOf('%');
  const zone = pct < 0 ? undefined : s.slice(pct + 1);
  if (zone !== undefined && !ZONE.test(zone)) return null;
  const v6 = parseIPv6(pct < 0 ? s : s.slice(0, pct));
  if (v6 === null) return null;
  if (isV4Mapped(v6) && zone === undefined) return { family: 4, bytes: v6.slice(12) };
  return { family: 6, bytes: v6, ...(zone !== undefined && { zone: zone.toLowerCase() }) };
}

/** The canonical text of a parsed address. */
export function formatIp(p: ParsedIp): string {
  if (p.family === 4) return formatIPv4(p.bytes);
  return p.zone === undefined ? formatIPv6(p.bytes) : `${formatIPv6(p.bytes)}%${p.zone}`;
}

/** The one spelling of `text`, or null when it is not an IP address. */
export function normalizeIp(text: string): string | null {
  if (V4.test(text)) return text;
  const p = parseIp(text);
  return p === null ? null : formatIp(p);
}

/** What an operator typed (a `--ip` filter, a setting): also in brackets and with white space around it. */
export function normalizeIpInput(text: string): string | null {
  let s = text.trim();
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1);
  return normalizeIp(s);
}

/**
 * For an address a socket reported: its canonical spelling, or the text itself when it is none
 * (a socket never reports such text, but a record must keep what it was given rather than lose it).
 */
export function socketIp(text: string): string {
  return normalizeIp(text) ?? text;
}

/** 4 or 6 (an IPv4-mapped address is 4), or null for text that is not an address. */
export function ipFamily(text: string): IpFamily | null {
  return parseIp(text)?.family ?? null;
}

/**
 * Loopback, or the test ranges lab namespaces put on their `lo`: RFC 2544's 198.18.0.0/15 and, for
 * IPv6, RFC 3849's documentation prefix 2001:db8::/32 (issue 10 item 2). Any spelling of the address.
 */
export function isLabAddress(text: string): boolean {
  const p = parseIp(text);
  if (p === null) return false;
  const b = p.bytes;
  if (p.family === 4) return b[0] === 127 || (b[0] === 198 && (b[1] === 18 || b[1] === 19));
  const loopback = b.every((x, i) => x === (i === 15 ? 1 : 0));
  return loopback || (b[0] === 0x20 && b[1] === 0x01 && b[2] === 0x0d && b[3] === 0xb8);
}

/**
 * Textual IP addresses <-> network-order bytes, for compact peer lists
 * (BEP 23, BEP 7) and BEP 15's u32 `ip` field. Strict: returns null for
 * anything that is not a literal address (no hostnames, no zone ids).
 */

const V4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export function parseIPv4(s: string): Uint8Array | null {
  if (!V4.test(s)) return null;
  return Uint8Array.from(s.split('.'), Number);
}

export function formatIPv4(b: Uint8Array, offset = 0): string {
  return `${b[offset]}.${b[offset + 1]}.${b[offset + 2]}.${b[offset + 3]}`;
}

const HEXGROUP = /^[0-9a-fA-F]{1,4}$/;

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

/** RFC 5952 canonical text: lowercase, no leading zeros, longest run (>= 2) of zero groups as `::`. */
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

/**
 * Normalises a socket address: IPv4-mapped IPv6 (`::ffff:a.b.c.d`, seen on
 * dual-stack sockets) becomes plain IPv4 so one peer has one identity.
 */
export function normalizeIp(ip: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (m !== null && parseIPv4(m[1]!) !== null) return m[1]!;
  const v6 = parseIPv6(ip);
  return v6 === null ? ip : formatIPv6(v6);
}

export function ipFamily(ip: string): 4 | 6 | null {
  if (parseIPv4(ip) !== null) return 4;
  if (parseIPv6(ip) !== null) return 6;
  return null;
}

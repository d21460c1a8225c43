import { InputError } from '../../domain/errors.ts';
import { ipv4ToNumber, ipv6ToBigInt, normalizeIp } from './ip-address.ts';

/** What the table says about one address. */
export interface AsnHit {
  readonly asn: number;
  readonly org: string;
}

const MASK64 = (1n << 64n) - 1n;

/**
 * IP ranges -> AS number and organisation, from @ip-location-db/asn's CSV
 * (`start,end,asn,org`; start/end as numbers in the -num files, as addresses in the others).
 * Sorted typed arrays and binary search (issue 11): 412k IPv4 ranges are 5 MB here instead of
 * ~60 MB of objects, and a look-up is ~19 comparisons.
 */
export class AsnTable {
  private readonly v4Start: Uint32Array;
  private readonly v4End: Uint32Array;
  private readonly v4Asn: Uint32Array;
  private readonly v4Org: Uint32Array;
  private readonly v6StartHi: BigUint64Array;
  private readonly v6StartLo: BigUint64Array;
  private readonly v6EndHi: BigUint64Array;
  private readonly v6EndLo: BigUint64Array;
  private readonly v6Asn: Uint32Array;
  private readonly v6Org: Uint32Array;
  private readonly orgs: readonly string[];

  private constructor(v4: Row4[], v6: Row6[], orgs: string[]) {
    v4.sort((a, b) => a.start - b.start);
    v6.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
    this.v4Start = Uint32Array.from(v4, (r) => r.start);
    this.v4End = Uint32Array.from(v4, (r) => r.end);
    this.v4Asn = Uint32Array.from(v4, (r) => r.asn);
    this.v4Org = Uint32Array.from(v4, (r) => r.org);
    this.v6StartHi = BigUint64Array.from(v6, (r) => r.start >> 64n);
    this.v6StartLo = BigUint64Array.from(v6, (r) => r.start & MASK64);
    this.v6EndHi = BigUint64Array.from(v6, (r) => r.end >> 64n);
    this.v6EndLo = BigUint64Array.from(v6, (r) => r.end & MASK64);
    this.v6Asn = Uint32Array.from(v6, (r) => r.asn);
    this.v6Org = Uint32Array.from(v6, (r) => r.org);
    this.orgs = orgs;
  }

  get size(): { v4: number; v6: number } {
    return { v4: this.v4Start.length, v6: this.v6StartHi.length };
  }

  /** Parse one or more CSV texts (IPv4 and IPv6 may be in separate files). Bad lines are refused with their number. */
  static fromCsv(...texts: string[]): AsnTable {
    const v4: Row4[] = [];
    const v6: Row6[] = [];
    const orgIds = new Map<string, number>();
    const orgs: string[] = [];
    for (const text of texts) {
      let line = 0;
      for (const raw of text.split('\n')) {
        line++;
        if (raw.trim() === '') continue;
        const f = splitCsv(raw);
        const asn = Number(f[2]);
        if (f.length < 3 || !Number.isInteger(asn) || asn < 0 || asn > 0xffffffff) throw new InputError(`ASN CSV line ${line}: expected start,end,asn,org: ${raw.slice(0, 80)}`);
        const orgName = f[3] ?? '';
        let org = orgIds.get(orgName);
        if (org === undefined) { org = orgs.length; orgs.push(orgName); orgIds.set(orgName, org); }
        const [s, e] = [f[0]!, f[1]!];
        const isV6 = s.includes(':') || (!s.includes('.') && s.length > 10);
        if (isV6) v6.push({ start: toV6(s, line), end: toV6(e, line), asn, org });
        else v4.push({ start: toV4(s, line), end: toV4(e, line), asn, org });
      }
    }
    return new AsnTable(v4, v6, orgs);
  }

  /** The IPv4 ranges of one AS, or of every AS with `asn` = -1 (for the synthetic workload and tests): [start, end] numbers. */
  rangesOfAsn(asn: number): [number, number][] {
    const out: [number, number][] = [];
    for (let i = 0; i < this.v4Asn.length; i++) if (asn === -1 || this.v4Asn[i] === asn) out.push([this.v4Start[i]!, this.v4End[i]!]);
    return out;
  }

  /** The IPv6 ranges of one AS (-1: every AS): [start, end] numbers, for the synthetic workload. */
  rangesOfAsnV6(asn: number): [bigint, bigint][] {
    const out: [bigint, bigint][] = [];
    for (let i = 0; i < this.v6Asn.length; i++) {
      if (asn === -1 || this.v6Asn[i] === asn) out.push([(this.v6StartHi[i]! << 64n) | this.v6StartLo[i]!, (this.v6EndHi[i]! << 64n) | this.v6EndLo[i]!]);
    }
    return out;
  }

  lookupV4(n: number): AsnHit | undefined {
    const s = this.v4Start;
    let lo = 0;
    let hi = s.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (s[mid]! <= n) lo = mid + 1; else hi = mid - 1;
    }
    // hi: the last range starting at or before n
    if (hi < 0 || this.v4End[hi]! < n) return undefined;
    return { asn: this.v4Asn[hi]!, org: this.orgs[this.v4Org[hi]!]! };
  }

  lookupV6(n: bigint): AsnHit | undefined {
    const h = n >> 64n;
    const l = n & MASK64;
    let lo = 0;
    let hi = this.v6StartHi.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const sh = this.v6StartHi[mid]!;
      if (sh < h || (sh === h && this.v6StartLo[mid]! <= l)) lo = mid + 1; else hi = mid - 1;
    }
    if (hi < 0) return undefined;
    const eh = this.v6EndHi[hi]!;
    if (eh < h || (eh === h && this.v6EndLo[hi]! < l)) return undefined;
    return { asn: this.v6Asn[hi]!, org: this.orgs[this.v6Org[hi]!]! };
  }

  /** `ip` normalised. */
  lookup(ip: string): AsnHit | undefined {
    return ip.includes(':') ? this.lookupV6(ipv6ToBigInt(ip)) : this.lookupV4(ipv4ToNumber(ip));
  }
}

interface Row4 { start: number; end: number; asn: number; org: number }
interface Row6 { start: bigint; end: bigint; asn: number; org: number }

function toV4(s: string, line: number): number {
  if (s.includes('.')) {
    const ip = normalizeIp(s);
    if (ip === undefined || ip.includes(':')) throw new InputError(`ASN CSV line ${line}: not an IPv4 address: ${s}`);
    return ipv4ToNumber(ip);
  }
  const n = Number(s);
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new InputError(`ASN CSV line ${line}: not an IPv4 number: ${s}`);
  return n;
}

function toV6(s: string, line: number): bigint {
  if (s.includes(':')) {
    const ip = normalizeIp(s);
    if (ip === undefined) throw new InputError(`ASN CSV line ${line}: not an IPv6 address: ${s}`);
    return ipv6ToBigInt(ip);
  }
  if (!/^\d{1,39}$/.test(s)) throw new InputError(`ASN CSV line ${line}: not an IPv6 number: ${s}`);
  const n = BigInt(s);
  if (n >> 128n !== 0n) throw new InputError(`ASN CSV line ${line}: IPv6 number out of range: ${s}`);
  return n;
}

/** RFC 4180 fields of one line ("" inside quotes is one "). */
function splitCsv(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  const text = line.endsWith('\r') ? line.slice(0, -1) : line;
  while (i <= text.length) {
    if (text[i] === '"') {
      let v = '';
      i++;
      while (i < text.length) {
        if (text[i] === '"') {
          if (text[i + 1] === '"') { v += '"'; i += 2; continue; }
          i++;
          break;
        }
        v += text[i++];
      }
      out.push(v);
      i++; // the comma
    } else {
      const c = text.indexOf(',', i);
      const end = c < 0 ? text.length : c;
      out.push(text.slice(i, end));
      i = end + 1;
    }
  }
  return out;
}

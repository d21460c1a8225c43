import type { Random } from '../../lab/prng.ts';
import type { AsnTable } from '../enrichment/asn-table.ts';
import { bigIntToIpv6, numberToIpv4 } from '../enrichment/ip-address.ts';

/**
 * Where synthetic downloaders' addresses come from: real ranges of the bundled ASN data, weighted
 * towards Norwegian ISPs (issue 11 item 6), so enrichment places them as it would real ones
 * (including the Fornebu head-office effect of Telenor's pools).
 */
export const NORWEGIAN_ISPS: readonly { asn: number; weight: number; mobile: boolean }[] = [
  { asn: 2119, weight: 30, mobile: true },   // Telenor Norge AS
  { asn: 25400, weight: 22, mobile: true },  // Telia Norge AS
  { asn: 29695, weight: 14, mobile: false }, // Lyse Tele AS (Altibox)
  { asn: 2116, weight: 10, mobile: false },  // GlobalConnect AS
  { asn: 15659, weight: 5, mobile: false },  // NextGenTel AS
  { asn: 34087, weight: 4, mobile: false },  // NTE Telekom AS
  { asn: 29492, weight: 4, mobile: false },  // Eidsiva Digital AS
];
/** Share of addresses drawn from Norwegian ISPs; the rest from any range in the table. */
export const NORWEGIAN_SHARE = 0.8;
/**
 * Share of addresses that are IPv6, where the chosen ISP (or the table) has IPv6 ranges: an
 * assumption for a plausible mix, not a measurement. A subscriber's IPv6 address is a random
 * interface id in a random /64 of one of its ISP's ranges.
 */
export const IPV6_SHARE = 0.2;

export interface AddressSource {
  /** A fresh address; `mobile` tells whether it came from an operator with a mobile (CGNAT) network. */
  next(): { ip: string; mobile: boolean; norwegian: boolean };
}

export function addressSource(table: AsnTable, rand: Random): AddressSource {
  const isps = NORWEGIAN_ISPS.map((i) => ({ ...i, ranges: table.rangesOfAsn(i.asn), ranges6: table.rangesOfAsnV6(i.asn) })).filter((i) => i.ranges.length > 0);
  const total = isps.reduce((s, i) => s + i.weight, 0);
  const all = table.rangesOfAsn(-1);
  const all6 = table.rangesOfAsnV6(-1);
  const u64 = () => (BigInt(Math.floor(rand() * 2 ** 32)) << 32n) | BigInt(Math.floor(rand() * 2 ** 32));
  const pickIn6 = (ranges: [bigint, bigint][]) => {
    const [s, e] = ranges[Math.floor(rand() * ranges.length)]!;
    const nets = ((e - s) >> 64n) + 1n; // the range's /64s
    const net = (u64() * 2n ** 64n + u64()) % nets;
    return bigIntToIpv6(((s >> 64n) + net) << 64n | u64());
  };
  const pickIn = (ranges: [number, number][]) => {
    // Weighted by range size: a /14 holds more subscribers than a /24.
    let sum = 0;
    for (const [s, e] of ranges) sum += e - s + 1;
    let x = rand() * sum;
    for (const [s, e] of ranges) { const n = e - s + 1; if (x < n) return s + Math.floor(x); x -= n; }
    return ranges[0]![0];
  };
  return {
    next() {
      if (isps.length > 0 && rand() < NORWEGIAN_SHARE) {
        let x = rand() * total;
        const isp = isps.find((i) => (x -= i.weight) < 0) ?? isps[0]!;
        if (isp.ranges6.length > 0 && rand() < IPV6_SHARE) return { ip: pickIn6(isp.ranges6), mobile: isp.mobile, norwegian: true };
        return { ip: numberToIpv4(pickIn(isp.ranges)), mobile: isp.mobile, norwegian: true };
      }
      if (all6.length > 0 && rand() < IPV6_SHARE) return { ip: pickIn6(all6), mobile: false, norwegian: false };
      const r = all.length > 0 ? all[Math.floor(rand() * all.length)]! : ([0x08080000, 0x0808ffff] as [number, number]);
      return { ip: numberToIpv4(r[0] + Math.floor(rand() * (r[1] - r[0] + 1))), mobile: false, norwegian: false };
    },
  };
}

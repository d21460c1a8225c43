import type { NetworkCaveat } from '../../domain/enrichment.ts';

/**
 * Ranges whose placement is the operator's, not the subscriber's (issue 11: "mark ranges known
 * to be mobile or CGNAT"). A short, reviewable list, not a database: Norway's three mobile
 * network operators run their mobile subscribers behind carrier-grade NAT on these ASNs, which
 * also carry fixed lines, so a hit means "possibly CGNAT", never "certainly mobile".
 */
const CGNAT_POSSIBLE: ReadonlyMap<number, string> = new Map([
  [2119, 'Telenor Norge AS (fixed and mobile)'],
  [25400, 'Telia Norge AS (fixed and mobile)'],
  [49455, 'Telia Norge AS'],
]);

/** Cities that are an operator's head office: addresses placed there are often the operator's whole mobile pool. */
const HEAD_OFFICES: readonly { asn: number; city: RegExp }[] = [
  { asn: 2119, city: /^Fornebu/i },   // Telenor, Snarøyveien 30, Fornebu
];

const MOBILE_NAME = /\b(mobile|mobil|cellular|wireless|LTE|5G)\b/i;
const HEAD_OFFICE_ASNS = new Set(HEAD_OFFICES.map((h) => h.asn));
const NONE: readonly NetworkCaveat[] = Object.freeze([]);
const mobileOrgs = new Map<string, boolean>();

/**
 * The caveats of one placement. Called once per look-up (500,000/s target), so the organisation
 * name's regex result is remembered per name (names come from the ASN table: a bounded set).
 */
export function networkCaveats(asn: number | undefined, org: string | undefined, city: string | undefined): readonly NetworkCaveat[] {
  let mobile = false;
  if (org !== undefined) {
    const known = mobileOrgs.get(org);
    if (known === undefined) {
      mobile = MOBILE_NAME.test(org);
      if (mobileOrgs.size < 1_000_000) mobileOrgs.set(org, mobile);
    } else mobile = known;
  }
  const cgnat = asn !== undefined && CGNAT_POSSIBLE.has(asn);
  if (!mobile && !cgnat && (asn === undefined || !HEAD_OFFICE_ASNS.has(asn))) return NONE;
  const out: NetworkCaveat[] = [];
  if (mobile) out.push('mobile');
  if (cgnat) out.push('cgnat-possible');
  if (asn !== undefined && city !== undefined && HEAD_OFFICES.some((h) => h.asn === asn && h.city.test(city))) out.push('head-office');
  return out;
}

/**
 * Enrichment is an assessment, not a fact (issue 11): it is kept apart from the evidence
 * records, keyed by IP and time, and every result names the databases it came from.
 */

/** One database an assessment used: name, build date and the SHA-256 of the exact file(s). */
export interface GeoDatabase {
  /** e.g. "DB-IP Lite city (ipv4)", "ip-location-db asn", "Kartverket municipalities 2024". */
  readonly name: string;
  readonly kind: 'city' | 'asn' | 'boundaries';
  /** UTC ISO date the database was built (mmdb build epoch, package version date, or file date). */
  readonly buildDate: string;
  readonly sha256: string;
  /** Where it was read from (package path, data dir import, assets/). */
  readonly source: string;
}

/** Mobile or CGNAT ranges: the place is the operator's, not the subscriber's. */
export type NetworkCaveat = 'mobile' | 'cgnat-possible' | 'head-office';

export interface Enrichment {
  readonly ip: string;
  /** UTC ms the assessment was made. */
  readonly enrichedAt: number;
  readonly placeable: boolean;
  /** Why not placeable (loopback, documentation...). */
  readonly notPlaceable?: string;
  readonly country?: string;
  readonly region?: string;
  readonly city?: string;
  readonly latitude?: number;
  readonly longitude?: number;
  readonly countyNumber?: string;
  readonly countyName?: string;
  readonly municipalityNumber?: string;
  readonly municipalityName?: string;
  /** 'inside' the polygon, or 'nearest' within ~5 km of the coast. */
  readonly municipalityMethod?: 'inside' | 'nearest';
  readonly asn?: number;
  readonly asOrg?: string;
  readonly caveats: readonly NetworkCaveat[];
  /** SHA-256s of the city, ASN and boundary databases used (GeoDatabase.sha256). */
  readonly databases: readonly string[];
}

/** Printed wherever a municipality is shown (issue 11: "say so wherever a municipality is shown"). */
export const PLACEMENT_CAVEAT =
  'Municipality and county are an IP-geolocation estimate, not a fact: mobile and CGNAT ranges are often placed at the operator\'s head office (one measurement placed 182 of 1,380 Norwegian addresses at Fornebu, Telenor\'s head office).';

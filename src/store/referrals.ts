/**
 * Measures (issue 14 part 4): which agency receives referrals for a country, how long ISPs keep
 * subscriber records, and what has been referred. The SQLite store implements it in
 * sqlite/referrals/; the tables are operator-edited settings and a register, never evidence.
 * All times are UTC ms.
 */

/** Receiving agency for a country (ISO 3166-1 alpha-2). */
export interface Agency {
  readonly country: string;
  readonly agency: string;
  readonly contact: string;
  readonly updatedAt: number;
}

/** How long ISPs keep subscriber records: a country's rule, or one ISP's (by its AS number) overriding it. */
export interface RetentionRule {
  readonly country: string;
  /** Absent: the country's rule for every ISP. */
  readonly asn?: number;
  readonly days: number;
  /** Where the figure comes from (a law, a survey, an ISP's answer). */
  readonly source: string;
  readonly updatedAt: number;
}

/** Why an address cannot be placed with an agency or a deadline. */
export type Unplaced = 'not enriched' | 'not placeable' | 'no country' | 'no agency for country' | 'no retention rule';

/** An address with deliveries that has not been referred since its last delivery. */
export interface ReferralCandidate {
  readonly ip: string;
  /** Start of its last delivery (not metadata-only): the retention clock starts here. */
  readonly lastDelivery: number;
  /** From the current enrichment (an assessment, not a fact). */
  readonly country?: string;
  readonly asn?: number;
  readonly asOrg?: string;
  readonly agency?: string;
  readonly retention?: { readonly days: number; readonly source: string; readonly rule: 'country' | 'country+asn' };
  /** lastDelivery + retention days; absent without a rule. */
  readonly deadline?: number;
  /** Every reason the address lacks an agency or a deadline (empty when it has both). */
  readonly unplaced: readonly Unplaced[];
}

export interface CandidateQuery {
  /** Only deliveries started in [since, until) are read. */
  readonly since: number;
  readonly until: number;
  /** Candidates with a deadline are kept when deadlineFrom <= deadline < deadlineTo (deadlineTo absent: no upper bound). */
  readonly deadlineFrom: number;
  readonly deadlineTo?: number;
  /** Also the candidates without a deadline (no rule, or no place), after the others. */
  readonly includeUndated: boolean;
  /** Also addresses a referral already covers (a jurisdiction listing); default false. */
  readonly includeReferred?: boolean;
  /** Only addresses that have an agency. */
  readonly withAgency?: boolean;
  /** Only addresses whose country maps to this agency. */
  readonly agency?: string;
  readonly limit: number;
}

export interface ReferralPackageRecord {
  readonly id: number;
  readonly agency: string;
  readonly createdAt: number;
  /** SHA-256 of the package's signed referral.json. */
  readonly sha256: string;
  readonly path: string;
  readonly ips: number;
}

export interface ReferredIp { readonly ip: string; readonly coveredTo: number; readonly package: ReferralPackageRecord }

export interface ReferralStore {
  agencies(): Agency[];
  /** Replaces the whole table in one transaction. */
  replaceAgencies(rows: readonly Agency[]): void;
  setAgency(row: Agency): void;
  /** False when there was no row. */
  removeAgency(country: string): boolean;

  retentionRules(): RetentionRule[];
  replaceRetentionRules(rows: readonly RetentionRule[]): void;
  setRetentionRule(row: RetentionRule): void;
  removeRetentionRule(country: string, asn?: number): boolean;

  /** Ordered by deadline (soonest first), then the undated, then by address. */
  candidates(q: CandidateQuery): ReferralCandidate[];
  /** Records a built package and the addresses it refers, in one transaction; returns its id. */
  recordReferral(p: Omit<ReferralPackageRecord, 'id' | 'ips'>, ips: readonly { readonly ip: string; readonly coveredTo: number }[]): number;
  referralPackages(limit: number): ReferralPackageRecord[];
  referralsOf(ip: string): ReferredIp[];
}

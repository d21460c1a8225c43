import { createHash, sign, type KeyObject } from 'node:crypto';
import { createReadStream, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { createInterface } from 'node:readline';
import type { DataPurpose } from '../domain/data-purpose.ts';
import { canonicalJson } from '../evidence/canonical-json.ts';

/**
 * A referral package (issue 14 part 4): what one receiving agency gets. One folder:
 *   referral.json    what the package holds (below), canonical JSON, signed by the node key
 *   referral.sig     Ed25519 signature of referral.json (base64)
 *   public-key.pem   the node key (the same as in every evidence package)
 *   summary.txt      the same for people: counts, time span, ISPs, deadlines
 *   evidence/        one evidence package for all its addresses, from the exporter (selection "ips"),
 *                    with a completeness proof per address (packages before had evidence/<ip>/ each)
 *   verify.mjs       the standalone verifier: `node verify.mjs .` checks all of it
 * The per-address figures in referral.json are derived from the evidence packages' records, so the
 * verifier recomputes them; country, ISP and deadline are assessments (enrichment and the
 * operator's retention table) and say so. The package's hash is the SHA-256 of referral.json.
 */
export const REFERRAL_TYPE = 'counterseed-referral/v1';

export const REFERRAL_CAVEAT = 'The addresses are evidenced by the package under evidence/ (records, inclusion proofs, a completeness proof for each address, signed checkpoint). '
  + 'Country and ISP (AS number) are an assessment from IP geolocation and routing data at the time of the referral, not a fact. '
  + 'The deadline is the last delivery plus the retention period in the referring unit\'s table, with its source; ask the ISP before relying on it.';

/** What an address's evidence package shows about it. */
export interface IpFigures { readonly deliveries: number; readonly completed: number; readonly first: number | null; readonly last: number | null }

/** Per address, its deliveries in an evidence package's records.ndjson: count, completed, first and last start (UTC ms); one pass over the file. */
export async function figuresByIp(recordsFile: string): Promise<(ip: string) => IpFigures> {
  const by = new Map<string, { deliveries: number; completed: number; first: number | null; last: number | null }>();
  const lines = createInterface({ input: createReadStream(recordsFile, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line === '') continue;
    const r = JSON.parse(line) as { kind: string; at: number; obs: { remoteIp?: string; completed?: boolean } };
    if (r.kind !== 'delivery' || typeof r.obs.remoteIp !== 'string') continue;
    let f = by.get(r.obs.remoteIp);
    if (f === undefined) by.set(r.obs.remoteIp, f = { deliveries: 0, completed: 0, first: null, last: null });
    f.deliveries++;
    if (r.obs.completed === true) f.completed++;
    if (f.first === null || r.at < f.first) f.first = r.at;
    if (f.last === null || r.at > f.last) f.last = r.at;
  }
  return (ip) => ({ ...(by.get(ip) ?? { deliveries: 0, completed: 0, first: null, last: null }) });
}

export interface ReferralIp extends IpFigures {
  readonly ip: string;
  readonly country: string | null;
  readonly asn: number | null;
  readonly as_org: string | null;
  /** Start of the last delivery (not metadata-only) this referral covers. */
  readonly covered_to: number;
  readonly deadline: number | null;
  readonly retention: { readonly days: number; readonly source: string; readonly rule: string } | null;
  /** Folder of its evidence package, relative to the referral folder. */
  readonly package: string;
  /** SHA-256 of that package's manifest.json. */
  readonly manifest_sha256: string;
}

export interface ReferralManifest {
  readonly type: typeof REFERRAL_TYPE;
  readonly node: string;
  readonly purpose: DataPurpose;
  readonly created_at: number;
  /** The time the retention clock was read at (--at, or created_at). */
  readonly clock_at: number;
  readonly agency: { readonly name: string; readonly contact: string; readonly countries: readonly string[] };
  readonly caveat: string;
  /** The geolocation and routing databases behind the countries and AS numbers, by the SHA-256 of their files. */
  readonly databases: readonly { readonly name: string; readonly kind: string; readonly build_date: string; readonly sha256: string }[];
  readonly totals: IpFigures & { readonly ips: number };
  readonly isps: readonly { readonly asn: number | null; readonly org: string | null; readonly ips: number }[];
  readonly ips: readonly ReferralIp[];
  /** SHA-256 of every other file in the folder (paths with "/"), referral.json and referral.sig aside. */
  readonly files: Readonly<Record<string, string>>;
}

/** Totals and ISPs of the addresses, as the verifier recomputes them. */
export function totalsOf(ips: readonly ReferralIp[]): Pick<ReferralManifest, 'totals' | 'isps'> {
  const firsts = ips.map((i) => i.first).filter((x): x is number => x !== null);
  const lasts = ips.map((i) => i.last).filter((x): x is number => x !== null);
  const isps = new Map<string, { asn: number | null; org: string | null; ips: number }>();
  for (const i of ips) {
    const k = String(i.asn);
    const e = isps.get(k) ?? { asn: i.asn, org: i.as_org, ips: 0 };
    e.ips++;
    isps.set(k, e);
  }
  return {
    totals: {
      ips: ips.length, deliveries: ips.reduce((s, i) => s + i.deliveries, 0), completed: ips.reduce((s, i) => s + i.completed, 0),
      first: firsts.length ? Math.min(...firsts) : null, last: lasts.length ? Math.max(...lasts) : null,
    },
    isps: [...isps.values()].sort((a, b) => b.ips - a.ips || (a.asn ?? -1) - (b.asn ?? -1)),
  };
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** SHA-256 of every file under `dir` (relative paths with "/"), `skip` aside. Package files are read whole: one address's package. */
export function hashTree(dir: string, skip: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) { walk(p); continue; }
      const rel = relative(dir, p).split(sep).join('/');
      if (!skip.includes(rel)) out[rel] = sha256(readFileSync(p));
    }
  };
  walk(dir);
  return out;
}

/** referral.json's text (canonical JSON), its signature (base64) and its SHA-256 (the package hash). */
export function signReferral(m: ReferralManifest, key: KeyObject): { text: string; signature: string; sha256: string } {
  const text = canonicalJson(m);
  return { text, signature: sign(null, Buffer.from(text, 'utf8'), key).toString('base64'), sha256: sha256(Buffer.from(text, 'utf8')) };
}

/** summary.txt: the referral for people. */
export function referralSummaryText(m: Omit<ReferralManifest, 'files'>): string {
  const iso = (t: number | null) => (t === null ? '-' : new Date(t).toISOString());
  const lines = [
    ...(m.purpose !== 'evidence' ? [`*** ${m.purpose.toUpperCase()} DATA: not evidence ***`, ''] : []),
    `Referral to ${m.agency.name}${m.agency.contact ? ` (${m.agency.contact})` : ''}`,
    `Countries: ${m.agency.countries.join(', ')}`,
    `Prepared ${iso(m.created_at)} by node ${m.node}; retention clock read at ${iso(m.clock_at)} (all times UTC)`,
    '',
    `Addresses: ${m.totals.ips}; deliveries: ${m.totals.deliveries} (${m.totals.completed} completed: the warning was delivered in full)`,
    `Time span: ${iso(m.totals.first)} to ${iso(m.totals.last)}`,
    '',
    'ISPs (AS number, organisation: assessment):',
    ...m.isps.map((i) => `  ${i.asn === null ? '(unknown)' : `AS${i.asn}`}  ${i.org ?? ''}  ${i.ips} address(es)`),
    '',
    'Addresses, soonest deadline first:',
    ...m.ips.map((i) => `  ${i.ip}  ${i.country ?? '?'}  ${i.asn === null ? '' : `AS${i.asn}`}  deliveries ${i.deliveries} (${i.completed} completed)  ${iso(i.first)} to ${iso(i.last)}`
      + `  deadline ${i.deadline === null ? 'unknown (no retention rule)' : `${iso(i.deadline)} (${i.retention!.days} days, ${i.retention!.rule} rule; source: ${i.retention!.source})`}  evidence: ${i.package}`),
    '',
    m.caveat,
    ...(m.databases.length ? ['Databases behind country and ISP:', ...m.databases.map((d) => `  ${d.kind} ${d.name}, built ${d.build_date}, sha256 ${d.sha256}`)] : []),
    'Check everything with: node verify.mjs .   (no dependencies; compare the node key fingerprint with the one the unit published)',
    ...(m.purpose !== 'evidence' ? ['', `*** ${m.purpose.toUpperCase()} DATA: not evidence ***`] : []),
  ];
  return `${lines.join('\n')}\n`;
}

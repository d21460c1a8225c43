import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InputError } from '../domain/errors.ts';
import { openEvidence } from '../evidence/open.ts';
import {
  figuresByIp, hashTree, REFERRAL_CAVEAT, REFERRAL_TYPE, referralSummaryText, signReferral, totalsOf, type ReferralIp, type ReferralManifest,
} from '../exports/referral.ts';
import type { ReferralCandidate } from '../store/referrals.ts';
import type { Context } from './context.ts';
import { exportEvidence } from './evidence.ts';
import { makeDir, probeOutputDir } from './paths.ts';
import { DAY_MS, horizonDays } from './referrals-due.ts';

/** Addresses one build refers at most (each agency's go into one evidence package, with a completeness proof each). */
export const DEFAULT_MAX_IPS = 500;

const VERIFIER = new URL('../../verifier/verify.mjs', import.meta.url);

export interface BuildReferralsInput {
  /** A folder that does not exist or is empty: one sub-folder per agency. */
  readonly out: string;
  /** Only this agency (as named in the agency table). */
  readonly agency?: string;
  /** Only addresses whose retention runs out within this many days (default: every address not yet expired, dated or not). */
  readonly withinDays?: number;
  /** The clock's "now" (UTC ms); default the current time. */
  readonly now?: number;
  readonly maxIps?: number;
}

export interface BuiltReferral {
  readonly agency: string;
  readonly dir: string;
  /** SHA-256 of referral.json: recorded with every address it refers. */
  readonly sha256: string;
  readonly ips: number;
  readonly deliveries: number;
  readonly packageId: number;
}

export interface BuildReferralsResult { readonly packages: BuiltReferral[]; readonly now: number }

const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60) || 'agency';

/**
 * `referrals build`: one package per receiving agency for the addresses not yet referred whose
 * retention has not run out (or runs out within `withinDays`), each address with its evidence
 * package from the exporter; then records each referral (time, agency, package hash). All or
 * nothing: on any failure the folders it made are removed and nothing is recorded.
 */
export async function buildReferrals(ctx: Context, input: BuildReferralsInput): Promise<BuildReferralsResult> {
  const now = input.now ?? Date.now();
  const max = input.maxIps ?? DEFAULT_MAX_IPS;
  if (input.withinDays !== undefined && (!Number.isInteger(input.withinDays) || input.withinDays < 0)) throw new InputError('--within: a whole number of days');
  const agencies = ctx.store.referrals.agencies();
  if (agencies.length === 0) throw new InputError('the agency table is empty: `counterseed referrals agencies import FILE` first');
  if (input.agency !== undefined && !agencies.some((a) => a.agency === input.agency)) {
    throw new InputError(`no agency named ${JSON.stringify(input.agency)} in the agency table (${[...new Set(agencies.map((a) => a.agency))].join('; ')})`);
  }
  const horizon = horizonDays(ctx, input.withinDays ?? 0);
  const picked = ctx.store.referrals.candidates({
    since: now - horizon * DAY_MS, until: now, deadlineFrom: now, ...(input.withinDays !== undefined ? { deadlineTo: now + input.withinDays * DAY_MS } : {}),
    includeUndated: input.withinDays === undefined, withAgency: true, ...(input.agency !== undefined ? { agency: input.agency } : {}), limit: max + 1,
  });
  if (picked.length > max) throw new InputError(`more than ${max} addresses to refer: narrow with --agency or --within, or raise --max-ips`);
  if (picked.length === 0) return { packages: [], now };

  const byAgency = new Map<string, ReferralCandidate[]>();
  for (const c of picked) byAgency.set(c.agency!, [...(byAgency.get(c.agency!) ?? []), c]);

  probeOutputDir(input.out);
  const out = resolve(input.out);
  if (existsSync(out) && readdirSync(out).length > 0) throw new InputError(`--out ${input.out} exists and is not empty`);
  const createdOut = !existsSync(out);
  const made: string[] = [];
  const ev = openEvidence(ctx.store, ctx.settings.dataDir, { create: false });
  try {
    makeDir(out);
    const written: { agency: string; dir: string; text: string; signature: string; sha256: string; ips: ReferralIp[] }[] = [];
    const used = new Set<string>();
    for (const [agency, cands] of byAgency) {
      let name = slug(agency);
      for (let i = 2; used.has(name); i++) name = `${slug(agency)}-${i}`;
      used.add(name);
      const dir = join(out, name);
      made.push(dir);
      // One evidence export for all the agency's addresses (one checkpoint, one pass over the key index,
      // a completeness proof per address): 500 exports of one address each took 36.3 s.
      const pkg = 'evidence';
      makeDir(dir);
      await exportEvidence(ctx, { out: join(dir, pkg), filter: { ips: cands.map((c) => c.ip), to: now }, now: () => now });
      const manifestSha256 = createHash('sha256').update(readFileSync(join(dir, pkg, 'manifest.json'))).digest('hex');
      const figures = await figuresByIp(join(dir, pkg, 'records.ndjson'));
      const ips: ReferralIp[] = cands.map((c) => ({
        ip: c.ip, country: c.country ?? null, asn: c.asn ?? null, as_org: c.asOrg ?? null, covered_to: c.lastDelivery,
        deadline: c.deadline ?? null, retention: c.retention ? { days: c.retention.days, source: c.retention.source, rule: c.retention.rule } : null,
        package: pkg, manifest_sha256: manifestSha256, ...figures(c.ip),
      }));
      const row = agencies.find((a) => a.agency === agency)!;
      const body: Omit<ReferralManifest, 'files'> = {
        type: REFERRAL_TYPE, node: ev.key.fingerprint, purpose: ctx.purpose, created_at: now, clock_at: now,
        agency: { name: agency, contact: row.contact, countries: agencies.filter((a) => a.agency === agency).map((a) => a.country) },
        caveat: REFERRAL_CAVEAT, databases: ctx.store.intel.databases().map((d) => ({ name: d.name, kind: d.kind, build_date: d.buildDate, sha256: d.sha256 })),
        ...totalsOf(ips), ips,
      };
      writeFileSync(join(dir, 'summary.txt'), referralSummaryText(body), { flag: 'wx' });
      writeFileSync(join(dir, 'public-key.pem'), ev.key.publicPem, { flag: 'wx' });
      if (existsSync(VERIFIER)) copyFileSync(VERIFIER, join(dir, 'verify.mjs'));
      const signed = signReferral({ ...body, files: hashTree(dir, ['referral.json', 'referral.sig']) }, ev.key.privateKey);
      writeFileSync(join(dir, 'referral.json'), signed.text, { flag: 'wx' });
      writeFileSync(join(dir, 'referral.sig'), `${signed.signature}\n`, { flag: 'wx' });
      written.push({ agency, dir, ...signed, ips });
    }
    const packages = written.map((w) => ({
      agency: w.agency, dir: w.dir, sha256: w.sha256, ips: w.ips.length, deliveries: w.ips.reduce((s, i) => s + i.deliveries, 0),
      packageId: ctx.store.referrals.recordReferral({ agency: w.agency, createdAt: now, sha256: w.sha256, path: w.dir }, w.ips.map((i) => ({ ip: i.ip, coveredTo: i.covered_to }))),
    }));
    return { packages, now };
  } catch (e) {
    for (const d of made) rmSync(d, { recursive: true, force: true });
    if (createdOut) rmSync(out, { recursive: true, force: true });
    throw e;
  } finally { ev.detach(); }
}

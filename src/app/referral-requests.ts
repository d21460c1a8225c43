import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../domain/errors.ts';
import type { ApprovalRequest } from '../store/governance.ts';
import { recordAccess } from './access-log.ts';
import type { Context } from './context.ts';
import type { Actor, Governance } from './governance.ts';
import { forgetDueAlerts } from './referral-alerts.ts';
import { buildReferrals, type BuiltReferral } from './referrals-build.ts';
import { carryOut, decideRequest, listRequests, names, packageDir, paramsOf, submitRequest, type RequestKind } from './request-lifecycle.ts';

/**
 * Building referral packages from the web app (issue 13 §5 over issue 14 part 4). A package leaves
 * the system for an agency: a disclosure, so it goes through four-eyes like an evidence export
 * (request-lifecycle.ts). An analyst asks (agency, deadline window, purpose); nothing is built until a
 * supervisor other than the requester approves; then `referrals build` runs as of the approval time,
 * and the requester downloads the result (a logged disclosure).
 */

export const REFERRAL_KIND = 'referral-build';
/** Where approved referral builds are written, under the data directory. */
export const REFERRALS_DIR = 'web-referrals';

export interface ReferralParams { readonly agency?: string; readonly withinDays?: number }

export interface ReferralRequestView extends Omit<ApprovalRequest, 'params'> {
  readonly params: ReferralParams;
  readonly requestedByName: string;
  readonly decidedByName: string | null;
}

function view(g: Governance, r: ApprovalRequest): ReferralRequestView {
  return { ...r, params: paramsOf<ReferralParams>(r), ...names(g, r) };
}

const describe = (p: ReferralParams): string => `${p.agency !== undefined ? `agency ${JSON.stringify(p.agency)}` : 'every agency'}, ${p.withinDays !== undefined ? `deadlines within ${p.withinDays} days` : 'every address not yet expired'}`;

/** The addresses a build's packages refer (each agency folder's referral.json), for the access log. */
function referredIps(out: string): string[] {
  if (!existsSync(out)) return [];
  return readdirSync(out, { withFileTypes: true }).filter((d) => d.isDirectory()).flatMap((d) => {
    const m = JSON.parse(readFileSync(join(out, d.name, 'referral.json'), 'utf8')) as { ips?: { ip: string }[] };
    return (m.ips ?? []).map((i) => i.ip);
  });
}
const ipList = (ips: readonly string[]) => `IPs ${ips.slice(0, 20).join(',')}${ips.length > 20 ? ` +${ips.length - 20}` : ''}`;

const REFERRAL: RequestKind<ReferralParams> = {
  kind: REFERRAL_KIND, noun: 'referral request', logged: 'referral build request', describe,
  pkg: {
    notYet: 'the packages are there once a supervisor has approved it', there: existsSync,
    disclosed: (id, p, dir) => `referral packages of request ${id}: ${describe(p)}; ${ipList(referredIps(dir))}`,
  },
};

export function requestReferralBuild(ctx: Context, g: Governance, actor: Actor, input: { agency?: string; withinDays?: number; purpose?: string }): ReferralRequestView {
  return view(g, submitRequest(g, actor, REFERRAL, input.purpose, () => {
    const agency = input.agency?.trim() || undefined;
    if (agency !== undefined && !ctx.store.referrals.agencies().some((a) => a.agency === agency)) throw new InputError(`no agency named ${JSON.stringify(agency)} in the agency table`);
    if (input.withinDays !== undefined && !(Number.isInteger(input.withinDays) && input.withinDays >= 0 && input.withinDays <= 3650)) throw new InputError('within: whole days 0-3650');
    return { ...(agency !== undefined ? { agency } : {}), ...(input.withinDays !== undefined ? { withinDays: input.withinDays } : {}) };
  }));
}

/** Analysts see their own requests; supervisors see every one (to decide them). The parameters name no address. */
export function listReferralRequests(g: Governance, actor: Actor, limit = 100): ReferralRequestView[] {
  return listRequests(g, actor, REFERRAL, limit).map((r) => view(g, r));
}

/** Four-eyes: a supervisor other than the requester approves; the packages are built now. Nothing to refer: 'failed', saying so. */
export async function approveReferralBuild(ctx: Context, g: Governance, actor: Actor, id: number): Promise<ReferralRequestView & { readonly packages?: readonly BuiltReferral[] }> {
  const r = decideRequest(g, actor, REFERRAL, id, 'approved');
  const p = paramsOf<ReferralParams>(r);
  const out = join(ctx.settings.dataDir, REFERRALS_DIR, String(id));
  const o = await carryOut(g, id, async (): Promise<{ failed: string } | { done: string; packages: readonly BuiltReferral[] }> => {
    const built = await buildReferrals(ctx, { out, now: g.now(), ...(p.agency !== undefined ? { agency: p.agency } : {}), ...(p.withinDays !== undefined ? { withinDays: p.withinDays } : {}) });
    return built.packages.length === 0 ? { failed: 'nothing to refer at approval time: no address matched' } : { done: out, packages: built.packages };
  });
  if (!('done' in o)) return view(g, g.gov.approvals.get(id)!);
  forgetDueAlerts(ctx);
  recordAccess(g, actor, 'consult', `referral build request ${id} built ${o.packages.length} packages: ${ipList(referredIps(out))}`, r.purpose);
  return { ...view(g, g.gov.approvals.get(id)!), packages: o.packages };
}

export function rejectReferralBuild(g: Governance, actor: Actor, id: number): ReferralRequestView {
  decideRequest(g, actor, REFERRAL, id, 'rejected');
  return view(g, g.gov.approvals.get(id)!);
}

/** The built packages' folder of a done request, for its requester only; the download is a logged disclosure. */
export const referralPackageDir = (g: Governance, actor: Actor, id: number): string => packageDir(g, actor, REFERRAL, id);

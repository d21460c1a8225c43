import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError, NotFoundError } from '../domain/errors.ts';
import type { ApprovalRequest } from '../store/governance.ts';
import { recordAccess, requirePurpose } from './access-log.ts';
import type { Context } from './context.ts';
import { requirePermission, StateError, type Actor, type Governance } from './governance.ts';
import { decidePending, refuseOwnRequest } from './four-eyes.ts';
import { forgetDueAlerts } from './referral-alerts.ts';
import { buildReferrals, type BuiltReferral } from './referrals-build.ts';

/**
 * Building referral packages from the web app (issue 13 §5 over issue 14 part 4). A package leaves
 * the system for an agency: a disclosure, so it goes through four-eyes like an evidence export. An
 * analyst asks (agency, deadline window, purpose); nothing is built until a supervisor other than the
 * requester approves; then `referrals build` runs as of the approval time, and the requester
 * downloads the result (a logged disclosure).
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
  return {
    ...r, params: JSON.parse(r.params) as ReferralParams, requestedByName: g.gov.accounts.byId(r.requestedBy)?.username ?? '?',
    decidedByName: r.decidedBy === null ? null : g.gov.accounts.byId(r.decidedBy)?.username ?? '?',
  };
}

const describe = (p: ReferralParams): string => `${p.agency !== undefined ? `agency ${JSON.stringify(p.agency)}` : 'every agency'}, ${p.withinDays !== undefined ? `deadlines within ${p.withinDays} days` : 'every address not yet expired'}`;

export function requestReferralBuild(ctx: Context, g: Governance, actor: Actor, input: { agency?: string; withinDays?: number; purpose?: string }): ReferralRequestView {
  requirePermission(actor, 'export:request');
  const purpose = requirePurpose(input.purpose);
  const agency = input.agency?.trim() || undefined;
  if (agency !== undefined && !ctx.store.referrals.agencies().some((a) => a.agency === agency)) throw new InputError(`no agency named ${JSON.stringify(agency)} in the agency table`);
  if (input.withinDays !== undefined && !(Number.isInteger(input.withinDays) && input.withinDays >= 0 && input.withinDays <= 3650)) throw new InputError('within: whole days 0-3650');
  const params: ReferralParams = { ...(agency !== undefined ? { agency } : {}), ...(input.withinDays !== undefined ? { withinDays: input.withinDays } : {}) };
  const r = g.gov.approvals.add({ kind: REFERRAL_KIND, requestedBy: actor.id, requestedAt: g.now(), params: JSON.stringify(params), purpose });
  recordAccess(g, actor, 'request', `referral build request ${r.id}: ${describe(params)}`, purpose);
  return view(g, r);
}

/** Analysts see their own requests; supervisors see every one (to decide them). The parameters name no address. */
export function listReferralRequests(g: Governance, actor: Actor, limit = 100): ReferralRequestView[] {
  if (actor.role === 'supervisor') return g.gov.approvals.list({ kinds: [REFERRAL_KIND], limit }).map((r) => view(g, r));
  requirePermission(actor, 'export:request');
  return g.gov.approvals.list({ kinds: [REFERRAL_KIND], requestedBy: actor.id, limit }).map((r) => view(g, r));
}

/** The addresses a build's packages refer (each agency folder's referral.json), for the access log. */
function referredIps(out: string): string[] {
  if (!existsSync(out)) return [];
  return readdirSync(out, { withFileTypes: true }).filter((d) => d.isDirectory()).flatMap((d) => {
    const m = JSON.parse(readFileSync(join(out, d.name, 'referral.json'), 'utf8')) as { ips?: { ip: string }[] };
    return (m.ips ?? []).map((i) => i.ip);
  });
}
const ipList = (ips: readonly string[]) => `IPs ${ips.slice(0, 20).join(',')}${ips.length > 20 ? ` +${ips.length - 20}` : ''}`;

/** Same answer for "no such id" and "not yours" (ASVS 4.2.1). */
function visible(g: Governance, actor: Actor, id: number): ApprovalRequest {
  const r = g.gov.approvals.get(id);
  if (!r || r.kind !== REFERRAL_KIND || (actor.role !== 'supervisor' && r.requestedBy !== actor.id)) throw new NotFoundError(`no referral request ${id}`);
  return r;
}

/** Four-eyes: a supervisor other than the requester approves; the packages are built now. Nothing to refer: 'failed', saying so. */
export async function approveReferralBuild(ctx: Context, g: Governance, actor: Actor, id: number): Promise<ReferralRequestView & { readonly packages?: readonly BuiltReferral[] }> {
  requirePermission(actor, 'approve');
  const r = visible(g, actor, id);
  refuseOwnRequest(actor, r, 'approve');
  decidePending(g, actor, id, 'approved');
  const p = JSON.parse(r.params) as ReferralParams;
  recordAccess(g, actor, 'approve', `referral build request ${id}: ${describe(p)}`, r.purpose);
  const out = join(ctx.settings.dataDir, REFERRALS_DIR, String(id));
  try {
    const built = await buildReferrals(ctx, { out, now: g.now(), ...(p.agency !== undefined ? { agency: p.agency } : {}), ...(p.withinDays !== undefined ? { withinDays: p.withinDays } : {}) });
    if (built.packages.length === 0) {
      g.gov.approvals.decide(id, 'approved', 'failed', null, null, 'nothing to refer at approval time: no address matched');
      return view(g, g.gov.approvals.get(id)!);
    }
    g.gov.approvals.decide(id, 'approved', 'done', null, null, out);
    forgetDueAlerts(ctx);
    recordAccess(g, actor, 'consult', `referral build request ${id} built ${built.packages.length} packages: ${ipList(referredIps(out))}`, r.purpose);
    return { ...view(g, g.gov.approvals.get(id)!), packages: built.packages };
  } catch (e) {
    g.gov.approvals.decide(id, 'approved', 'failed', null, null, e instanceof Error ? e.message : String(e));
    throw e;
  }
}

export function rejectReferralBuild(g: Governance, actor: Actor, id: number): ReferralRequestView {
  requirePermission(actor, 'approve');
  const r = visible(g, actor, id);
  refuseOwnRequest(actor, r, 'decide');
  decidePending(g, actor, id, 'rejected');
  recordAccess(g, actor, 'reject', `referral build request ${id}`, r.purpose);
  return view(g, g.gov.approvals.get(id)!);
}

/** The built packages' folder of a done request, for its requester only; the download is a logged disclosure. */
export function referralPackageDir(g: Governance, actor: Actor, id: number): string {
  requirePermission(actor, 'export:request');
  const r = visible(g, actor, id);
  if (r.status !== 'done' || r.result === null || !existsSync(r.result)) throw new StateError(`request ${id} is ${r.status}: the packages are there once a supervisor has approved it`);
  recordAccess(g, actor, 'disclose', `referral packages of request ${id}: ${describe(JSON.parse(r.params) as ReferralParams)}; ${ipList(referredIps(r.result))}`, r.purpose);
  return r.result;
}

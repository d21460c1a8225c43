import { join } from 'node:path';
import { InputError, NotFoundError } from '../domain/errors.ts';
import type { ApprovalRequest } from '../store/governance.ts';
import { recordAccess, requirePurpose } from './access-log.ts';
import type { Context } from './context.ts';
import { exportEvidence, type ExportEvidenceResult } from './evidence.ts';
import { requirePermission, StateError, type Actor, type Governance } from './governance.ts';
import { decidePending, refuseOwnRequest } from './four-eyes.ts';

/** What an export request selects: the same filter as `counterseed evidence export`. */
export interface ExportFilter { readonly ip?: string; readonly decoyId?: number; readonly from?: number; readonly to?: number }

export const EXPORT_KIND = 'evidence-export';
/** Where approved packages are written, under the data directory. */
export const EXPORTS_DIR = 'web-exports';

export interface ExportRequestView extends Omit<ApprovalRequest, 'params'> { readonly filter: ExportFilter; readonly requestedByName: string; readonly decidedByName: string | null }

function view(g: Governance, r: ApprovalRequest): ExportRequestView {
  const { params, ...rest } = r;
  return { ...rest, filter: JSON.parse(params) as ExportFilter, requestedByName: g.gov.accounts.byId(r.requestedBy)?.username ?? '?', decidedByName: r.decidedBy === null ? null : g.gov.accounts.byId(r.decidedBy)?.username ?? '?' };
}

const describe = (f: ExportFilter): string => [f.ip !== undefined ? `ip=${f.ip}` : '', f.decoyId !== undefined ? `decoy=${f.decoyId}` : '',
  f.from !== undefined ? `from=${new Date(f.from).toISOString()}` : '', f.to !== undefined ? `to=${new Date(f.to).toISOString()}` : ''].filter(Boolean).join(' ');

/** An analyst asks for an evidence package (a disclosure): nothing is written until a supervisor approves. */
export function requestExport(g: Governance, actor: Actor, input: { filter: ExportFilter; purpose?: string }): ExportRequestView {
  requirePermission(actor, 'export:request');
  const purpose = requirePurpose(input.purpose);
  if (Object.keys(input.filter).length === 0) throw new InputError('an export needs a filter (ip, decoy or a time range): whole-log disclosures are not requested from the web app');
  const r = g.gov.approvals.add({ kind: EXPORT_KIND, requestedBy: actor.id, requestedAt: g.now(), params: JSON.stringify(input.filter), purpose });
  recordAccess(g, actor, 'request', `evidence export request ${r.id}: ${describe(input.filter)}`, purpose);
  return view(g, r);
}

/** Analysts see their own requests; supervisors see every request (to approve them). */
export function listExportRequests(g: Governance, actor: Actor, limit = 100): ExportRequestView[] {
  if (actor.role === 'supervisor') {
    const all = g.gov.approvals.list({ kinds: [EXPORT_KIND], limit }).map((r) => view(g, r));
    // Other people's filters name IPs: the supervisor's review is a consultation too (LED Art. 25).
    const ips = [...new Set(all.flatMap((r) => (r.filter.ip !== undefined ? [r.filter.ip] : [])))];
    if (ips.length > 0) recordAccess(g, actor, 'consult', `export requests: ${all.length} shown, IPs ${ips.slice(0, 20).join(',')}${ips.length > 20 ? ` +${ips.length - 20}` : ''}`, 'four-eyes review');
    return all;
  }
  requirePermission(actor, 'export:request');
  return g.gov.approvals.list({ kinds: [EXPORT_KIND], requestedBy: actor.id, limit }).map((r) => view(g, r));
}

/** A request by id, only for whoever may see it (its requester, or a supervisor): otherwise "not found". */
function visible(g: Governance, actor: Actor, id: number): ApprovalRequest {
  const r = g.gov.approvals.get(id);
  // Same answer for "no such id" and "not yours": guessing ids tells nothing (ASVS 4.2.1).
  if (!r || r.kind !== EXPORT_KIND || (actor.role !== 'supervisor' && r.requestedBy !== actor.id)) throw new NotFoundError(`no export request ${id}`);
  return r;
}

export function getExportRequest(g: Governance, actor: Actor, id: number): ExportRequestView {
  if (actor.role !== 'supervisor') requirePermission(actor, 'export:request');
  const r = view(g, visible(g, actor, id));
  if (actor.role === 'supervisor' && r.filter.ip !== undefined) recordAccess(g, actor, 'consult', `export request ${id}: ip=${r.filter.ip}`, 'four-eyes review');
  return r;
}

/**
 * Four-eyes (issue 13 §5): a supervisor other than the requester approves; the package is then
 * written (inline: requests select one case, a few thousand records at most; see context.ts for
 * the child-process job a 100,000-record export would use).
 */
export async function approveExport(ctx: Context, g: Governance, actor: Actor, id: number): Promise<ExportRequestView & { readonly export?: ExportEvidenceResult }> {
  requirePermission(actor, 'approve');
  const r = visible(g, actor, id);
  refuseOwnRequest(actor, r, 'approve');
  decidePending(g, actor, id, 'approved');
  recordAccess(g, actor, 'approve', `evidence export request ${id}: ${describe(JSON.parse(r.params) as ExportFilter)}`, r.purpose);
  const out = join(ctx.settings.dataDir, EXPORTS_DIR, String(id));
  try {
    const result = await exportEvidence(ctx, { out, filter: JSON.parse(r.params) as ExportFilter, now: g.now });
    g.gov.approvals.decide(id, 'approved', 'done', null, null, out);
    return { ...view(g, g.gov.approvals.get(id)!), export: result };
  } catch (e) {
    g.gov.approvals.decide(id, 'approved', 'failed', null, null, e instanceof Error ? e.message : String(e));
    throw e;
  }
}

export function rejectExport(g: Governance, actor: Actor, id: number): ExportRequestView {
  requirePermission(actor, 'approve');
  const r = visible(g, actor, id);
  refuseOwnRequest(actor, r, 'decide');
  decidePending(g, actor, id, 'rejected');
  recordAccess(g, actor, 'reject', `evidence export request ${id}`, r.purpose);
  return view(g, g.gov.approvals.get(id)!);
}

/** The package directory of a done request, for its requester only; the download is a logged disclosure. */
export function exportPackageDir(g: Governance, actor: Actor, id: number): string {
  requirePermission(actor, 'export:request');
  const r = visible(g, actor, id);
  if (r.status !== 'done' || r.result === null) throw new StateError(`request ${id} is ${r.status}: a package is there once a supervisor has approved it`);
  recordAccess(g, actor, 'disclose', `evidence export package ${id}: ${describe(JSON.parse(r.params) as ExportFilter)}`, r.purpose);
  return r.result;
}

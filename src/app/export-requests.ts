import { join } from 'node:path';
import { InputError } from '../domain/errors.ts';
import type { ApprovalRequest } from '../store/governance.ts';
import { recordAccess } from './access-log.ts';
import type { Context } from './context.ts';
import { exportEvidence, type ExportEvidenceResult } from './evidence.ts';
import { requirePermission, type Actor, type Governance } from './governance.ts';
import { carryOut, decideRequest, listRequests, names, packageDir, paramsOf, submitRequest, visibleRequest, type RequestKind } from './request-lifecycle.ts';

/** What an export request selects: the same filter as `counterseed evidence export`. */
export interface ExportFilter { readonly ip?: string; readonly decoyId?: number; readonly from?: number; readonly to?: number }

export const EXPORT_KIND = 'evidence-export';
/** Where approved packages are written, under the data directory. */
export const EXPORTS_DIR = 'web-exports';

export interface ExportRequestView extends Omit<ApprovalRequest, 'params'> { readonly filter: ExportFilter; readonly requestedByName: string; readonly decidedByName: string | null }

function view(g: Governance, r: ApprovalRequest): ExportRequestView {
  const { params, ...rest } = r;
  return { ...rest, filter: JSON.parse(params) as ExportFilter, ...names(g, r) };
}

const describe = (f: ExportFilter): string => [f.ip !== undefined ? `ip=${f.ip}` : '', f.decoyId !== undefined ? `decoy=${f.decoyId}` : '',
  f.from !== undefined ? `from=${new Date(f.from).toISOString()}` : '', f.to !== undefined ? `to=${new Date(f.to).toISOString()}` : ''].filter(Boolean).join(' ');

const EXPORT: RequestKind<ExportFilter> = {
  kind: EXPORT_KIND, noun: 'export request', logged: 'evidence export request', describe,
  pkg: { notYet: 'a package is there once a supervisor has approved it', disclosed: (id, f) => `evidence export package ${id}: ${describe(f)}` },
};

/** An analyst asks for an evidence package (a disclosure): nothing is written until a supervisor approves. */
export function requestExport(g: Governance, actor: Actor, input: { filter: ExportFilter; purpose?: string }): ExportRequestView {
  return view(g, submitRequest(g, actor, EXPORT, input.purpose, () => {
    if (Object.keys(input.filter).length === 0) throw new InputError('an export needs a filter (ip, decoy or a time range): whole-log disclosures are not requested from the web app');
    return input.filter;
  }));
}

/** Analysts see their own requests; supervisors see every request (to approve them). */
export function listExportRequests(g: Governance, actor: Actor, limit = 100): ExportRequestView[] {
  const all = listRequests(g, actor, EXPORT, limit).map((r) => view(g, r));
  if (actor.role === 'supervisor') {
    // Other people's filters name IPs: the supervisor's review is a consultation too (LED Art. 25).
    const ips = [...new Set(all.flatMap((r) => (r.filter.ip !== undefined ? [r.filter.ip] : [])))];
    if (ips.length > 0) recordAccess(g, actor, 'consult', `export requests: ${all.length} shown, IPs ${ips.slice(0, 20).join(',')}${ips.length > 20 ? ` +${ips.length - 20}` : ''}`, 'four-eyes review');
  }
  return all;
}

export function getExportRequest(g: Governance, actor: Actor, id: number): ExportRequestView {
  if (actor.role !== 'supervisor') requirePermission(actor, 'export:request');
  const r = view(g, visibleRequest(g, actor, EXPORT, id));
  if (actor.role === 'supervisor' && r.filter.ip !== undefined) recordAccess(g, actor, 'consult', `export request ${id}: ip=${r.filter.ip}`, 'four-eyes review');
  return r;
}

/**
 * Four-eyes (issue 13 §5): a supervisor other than the requester approves; the package is then
 * written (inline: requests select one case, a few thousand records at most; see context.ts for
 * the child-process job a 100,000-record export would use).
 */
export async function approveExport(ctx: Context, g: Governance, actor: Actor, id: number): Promise<ExportRequestView & { readonly export?: ExportEvidenceResult }> {
  const filter = paramsOf<ExportFilter>(decideRequest(g, actor, EXPORT, id, 'approved'));
  const out = join(ctx.settings.dataDir, EXPORTS_DIR, String(id));
  const { result } = await carryOut(g, id, async () => ({ done: out, result: await exportEvidence(ctx, { out, filter, now: g.now }) }));
  return { ...view(g, g.gov.approvals.get(id)!), export: result };
}

export function rejectExport(g: Governance, actor: Actor, id: number): ExportRequestView {
  decideRequest(g, actor, EXPORT, id, 'rejected');
  return view(g, g.gov.approvals.get(id)!);
}

/** The package directory of a done request, for its requester only; the download is a logged disclosure. */
export const exportPackageDir = (g: Governance, actor: Actor, id: number): string => packageDir(g, actor, EXPORT, id);

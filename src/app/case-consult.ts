import { recordAccess } from './access-log.ts';
import { listCases, showCase, type CaseView } from './cases.ts';
import type { Context } from './context.ts';
import { requirePermission, type Actor, type Governance } from './governance.ts';
import type { CaseSummary } from '../store/cases.ts';

/** The case register for the web app (issue 13 §2 over issue 14 part 5): analysts only. The list names no address. */
export function caseList(ctx: Context, actor: Actor): CaseSummary[] {
  requirePermission(actor, 'consult');
  return listCases(ctx, { limit: 1000 });
}

/** One case, its linked addresses included: a consultation, logged with the case id as its case reference (LED Art. 25). */
export function consultCase(ctx: Context, g: Governance, actor: Actor, id: string): CaseView {
  requirePermission(actor, 'consult');
  const k = showCase(ctx, id);
  const ips = k.links.filter((l) => l.kind === 'ip').map((l) => l.ref);
  recordAccess(g, actor, 'consult', `case ${k.id}: ${k.links.length} links, IPs ${ips.slice(0, 20).join(',')}${ips.length > 20 ? ` +${ips.length - 20}` : ''}`, `case ${k.id}`);
  return k;
}

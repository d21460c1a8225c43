import { NotFoundError } from '../domain/errors.ts';
import type { ApprovalRequest } from '../store/governance.ts';
import { recordAccess, requirePurpose } from './access-log.ts';
import { decidePending, refuseOwnRequest } from './four-eyes.ts';
import { requirePermission, StateError, type Actor, type Governance } from './governance.ts';

/**
 * The life of a request whose result leaves the system as a package (issue 13 §5), written once for
 * each kind (evidence exports: export-requests.ts; referral builds: referral-requests.ts): an analyst
 * asks, with a purpose; only the requester and supervisors see it; a supervisor other than the
 * requester approves or rejects it (four-eyes.ts); once approved its work is done; its requester
 * downloads the package. Every step is in the access log.
 */
export interface RequestKind<P> {
  /** The approval requests' kind ('evidence-export'). */
  readonly kind: string;
  /** What "not found" calls one: `no ${noun} 7`. */
  readonly noun: string;
  /** What the access log calls one: `${logged} 7: ${describe(p)}`. */
  readonly logged: string;
  /** The parameters in words, for the access log. */
  readonly describe: (p: P) => string;
  /** The package: what the requester waits for, whether its folder is there, and what its download discloses. */
  readonly pkg: { readonly notYet: string; readonly there?: (dir: string) => boolean; readonly disclosed: (id: number, p: P, dir: string) => string };
}

export const paramsOf = <P>(r: ApprovalRequest): P => JSON.parse(r.params) as P;

/** Who asked and who decided, by user name ('?' for an account no longer there). */
export function names(g: Governance, r: ApprovalRequest): { readonly requestedByName: string; readonly decidedByName: string | null } {
  return { requestedByName: g.gov.accounts.byId(r.requestedBy)?.username ?? '?', decidedByName: r.decidedBy === null ? null : g.gov.accounts.byId(r.decidedBy)?.username ?? '?' };
}

/** Asks: the role and the purpose first, then `make` makes (and checks) the parameters. Nothing is done until approved. */
export function submitRequest<P>(g: Governance, actor: Actor, k: RequestKind<P>, purposeInput: string | undefined, make: () => P): ApprovalRequest {
  requirePermission(actor, 'export:request');
  const purpose = requirePurpose(purposeInput);
  const p = make();
  const r = g.gov.approvals.add({ kind: k.kind, requestedBy: actor.id, requestedAt: g.now(), params: JSON.stringify(p), purpose });
  recordAccess(g, actor, 'request', `${k.logged} ${r.id}: ${k.describe(p)}`, purpose);
  return r;
}

/** Analysts see their own requests; supervisors see every one (to decide them). Newest first. */
export function listRequests<P>(g: Governance, actor: Actor, k: RequestKind<P>, limit: number): ApprovalRequest[] {
  if (actor.role === 'supervisor') return g.gov.approvals.list({ kinds: [k.kind], limit });
  requirePermission(actor, 'export:request');
  return g.gov.approvals.list({ kinds: [k.kind], requestedBy: actor.id, limit });
}

/** A request by id, only for whoever may see it (its requester, or a supervisor): otherwise "not found". */
export function visibleRequest<P>(g: Governance, actor: Actor, k: RequestKind<P>, id: number): ApprovalRequest {
  const r = g.gov.approvals.get(id);
  // Same answer for "no such id" and "not yours": guessing ids tells nothing (ASVS 4.2.1).
  if (!r || r.kind !== k.kind || (actor.role !== 'supervisor' && r.requestedBy !== actor.id)) throw new NotFoundError(`no ${k.noun} ${id}`);
  return r;
}

/** A supervisor other than the requester approves or rejects request `id` (logged); returns the request as it was asked. */
export function decideRequest<P>(g: Governance, actor: Actor, k: RequestKind<P>, id: number, to: 'approved' | 'rejected'): ApprovalRequest {
  requirePermission(actor, 'approve');
  const r = visibleRequest(g, actor, k, id);
  refuseOwnRequest(actor, r, to === 'approved' ? 'approve' : 'decide');
  decidePending(g, actor, id, to);
  if (to === 'approved') recordAccess(g, actor, 'approve', `${k.logged} ${id}: ${k.describe(paramsOf<P>(r))}`, r.purpose);
  else recordAccess(g, actor, 'reject', `${k.logged} ${id}`, r.purpose);
  return r;
}

/** What an approved request's work came to: its package's folder, or why there is none. */
export type Outcome = { readonly done: string } | { readonly failed: string };

/** Does an approved request's work once: its outcome is the request's final state; a throw is 'failed' with its message, and thrown on. */
export async function carryOut<O extends Outcome>(g: Governance, id: number, work: () => Promise<O>): Promise<O> {
  try {
    const o = await work();
    if ('done' in o) g.gov.approvals.decide(id, 'approved', 'done', null, null, o.done);
    else g.gov.approvals.decide(id, 'approved', 'failed', null, null, o.failed);
    return o;
  } catch (e) {
    g.gov.approvals.decide(id, 'approved', 'failed', null, null, e instanceof Error ? e.message : String(e));
    throw e;
  }
}

/** The package folder of a done request, for its requester only; the download is a logged disclosure. */
export function packageDir<P>(g: Governance, actor: Actor, k: RequestKind<P>, id: number): string {
  requirePermission(actor, 'export:request');
  const r = visibleRequest(g, actor, k, id);
  if (r.status !== 'done' || r.result === null || (k.pkg.there !== undefined && !k.pkg.there(r.result))) throw new StateError(`request ${id} is ${r.status}: ${k.pkg.notYet}`);
  recordAccess(g, actor, 'disclose', k.pkg.disclosed(id, paramsOf<P>(r), r.result), r.purpose);
  return r.result;
}

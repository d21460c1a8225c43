import type { ApprovalRequest } from '../store/governance.ts';
import { PermissionError, StateError, type Actor, type Governance } from './governance.ts';

/**
 * The four-eyes rule (issue 13 §5), written once for every kind of request that needs a second
 * person (evidence exports, referral builds, legal-hold releases and early erasures): the person who
 * asked never decides, and a request leaves 'pending' once, whoever tries at the same time.
 * Callers check the approver's role (requirePermission 'approve') first.
 */
export function refuseOwnRequest(actor: Actor, r: ApprovalRequest, verb: 'approve' | 'decide'): void {
  if (r.requestedBy === actor.id) throw new PermissionError(`four-eyes: the requester cannot ${verb} their own request`);
}

/** Moves request `id` from 'pending' to `to`, by `actor`, now; a request already decided is refused. */
export function decidePending(g: Governance, actor: Actor, id: number, to: 'approved' | 'rejected'): void {
  if (!g.gov.approvals.decide(id, 'pending', to, actor.id, g.now())) throw new StateError(`request ${id} is ${g.gov.approvals.get(id)?.status}, not pending`);
}

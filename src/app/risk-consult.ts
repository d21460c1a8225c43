import { NotFoundError } from '../domain/errors.ts';
import type { RiskRun, RiskScore } from '../store/risk.ts';
import { recordAccess, requirePurpose } from './access-log.ts';
import type { Context } from './context.ts';
import { PermissionError, may, type Actor, type Governance } from './governance.ts';
import { explainRisk, reviewRisk, type RiskExplanation } from './risk.ts';

/**
 * The risk queue and its review for the web app (issue 13 §2 over issue 14 §3): the same use cases as
 * `risk show` and `risk review`, with the actor's role checked and every view that names addresses
 * logged with its purpose (LED Art. 25) before the rows are returned. No decision is taken here: a
 * person reads the working and marks it reviewed, with a reason.
 */

/** Whoever may see the working: those who consult personal data, and those who review assessments. */
function requireRiskView(actor: Actor): void {
  if (!may(actor.role, 'consult') && !may(actor.role, 'risk:review')) throw new PermissionError(`role ${actor.role} may not see risk assessments`);
}

export interface RiskQueue {
  readonly run: RiskRun;
  /** Highest score first; drafts and reviewed alike, each with its status. */
  readonly scores: readonly RiskScore[];
  readonly drafts: number;
}

/** The latest run's scores, highest first (a consultation: the page names addresses). */
export function consultRiskQueue(ctx: Context, g: Governance, actor: Actor, q: { purpose?: string; limit?: number; draftsOnly?: boolean }): RiskQueue {
  requireRiskView(actor);
  const purpose = requirePurpose(q.purpose);
  const run = ctx.store.risk.latestRun();
  if (run === undefined) throw new NotFoundError('no risk scores yet: an operator runs `counterseed risk score` first');
  const limit = Math.min(Math.max(1, q.limit ?? 100), 1000);
  // Drafts only: reviewed scores are read past, reading 4 times as many until `limit` drafts are found
  // or the run is read whole (few are reviewed, so the first read is nearly always enough: ~2 ms, not ~33 ms for 20 x limit).
  let scores = ctx.store.risk.top(run.id, limit);
  for (let n = limit; q.draftsOnly; n *= 4) {
    const drafts = scores.filter((s) => s.review === null);
    if (drafts.length >= limit || n >= run.ips) { scores = drafts.slice(0, limit); break; }
    scores = ctx.store.risk.top(run.id, n * 4);
  }
  const ips = scores.map((s) => s.ip);
  recordAccess(g, actor, 'consult', `risk queue of run ${run.id}: ${scores.length} scores, IPs ${ips.slice(0, 20).join(',')}${ips.length > 20 ? ` +${ips.length - 20}` : ''}`, purpose);
  return { run, scores, drafts: scores.filter((s) => s.review === null).length };
}

/** One address's working: every factor, value, weight and record, facts apart from the assessment (logged). */
export function consultRisk(ctx: Context, g: Governance, actor: Actor, q: { ip: string; purpose?: string }): RiskExplanation {
  requireRiskView(actor);
  const purpose = requirePurpose(q.purpose);
  const e = explainRisk(ctx, { ip: q.ip });
  recordAccess(g, actor, 'consult', `risk working ${e.ip} (run ${e.run.id}, weights ${e.run.weightsVersion}): score ${e.score.score.toFixed(2)}, ${e.status}`, purpose);
  return e;
}

/** A person marks the latest assessment of `ip` reviewed, with a reason; logged as a review, with the reason as its purpose. */
export function reviewRiskAs(ctx: Context, g: Governance, actor: Actor, q: { ip: string; reason: string }): RiskExplanation {
  if (!may(actor.role, 'risk:review')) throw new PermissionError(`role ${actor.role} may not review risk assessments`);
  const e = reviewRisk(ctx, { ip: q.ip, reason: q.reason, reviewedBy: actor.username }, g.now());
  recordAccess(g, actor, 'review', `risk assessment ${e.ip} (run ${e.run.id}, weights ${e.run.weightsVersion}, score ${e.score.score.toFixed(2)}) marked reviewed`, e.score.review?.reason ?? q.reason);
  return e;
}

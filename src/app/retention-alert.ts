import { openErasure } from '../node/erasure.ts';
import type { Context } from './context.ts';
import { requirePermission, type Actor, type Governance } from './governance.ts';
import { HOLD_RELEASE_KIND, ERASURE_KIND, retentionReview, type RetentionReview } from './retention.ts';

/**
 * The retention review behind the overview's alert, reused for up to a minute per store.
 *
 * Target (issue 13 benchmarks): the overview interactive in <= 1 s. The review counts every record past
 * its category's retention period, per kind: 130 ms CPU (1-2 s wall at load 14-20) on the
 * 10,000,000-delivery synthetic store, on every overview load; the overview only says how many are due
 * and links to the retention page, which counts afresh. Counted again at once when a legal hold, a
 * retention request or a tombstone changes (all cheap to read); otherwise records cross their cutoff
 * or an erasure run by another process shows within the minute. Equal to retentionReview at the time
 * it was counted (test/unit/app/retention-alert.test.ts); `at` says when that was.
 */
export const REVIEW_TTL_MS = 60_000;
const REVIEWS = new WeakMap<object, { readonly key: string; readonly review: RetentionReview }>();

export function overviewRetentionReview(ctx: Pick<Context, 'store' | 'settings'>, g: Governance, actor: Actor): RetentionReview {
  requirePermission(actor, 'retention');
  const erasure = openErasure(ctx.store);
  const holds = g.gov.holds.active().map((h) => `${h.id}:${h.ip}`).join(',');
  const requests = g.gov.approvals.list({ kinds: [HOLD_RELEASE_KIND, ERASURE_KIND], limit: 10_000 }).map((r) => `${r.id}:${r.status}`).join(',');
  const key = `${holds}|${requests}|${erasure.count()}`;
  const hit = REVIEWS.get(ctx.store);
  if (hit && hit.key === key && g.now() - hit.review.at < REVIEW_TTL_MS) return hit.review;
  const review = retentionReview(ctx.settings, erasure, g, actor);
  REVIEWS.set(ctx.store, { key, review });
  return review;
}

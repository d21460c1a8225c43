import { openCentreErasure, openErasure } from '../node/erasure.ts';
import type { Context } from './context.ts';
import { requirePermission, type Actor, type Governance } from './governance.ts';
import { HOLD_RELEASE_KIND, ERASURE_KIND, retentionReview, type RetentionReview } from './retention.ts';

/**
 * The retention review, reused for up to a minute per store: the overview's alert and, unless asked
 * to count afresh, the retention page and GET /api/retention (which then say so: `reused`, and `at`,
 * when it was counted).
 *
 * Target (issue 13 benchmarks): API p95 <= 100 ms, the overview interactive in <= 1 s. The review counts
 * every record past its category's retention period, per kind: 130-141 ms CPU (1-2 s wall at load
 * 14-20) on the 10,000,000-delivery synthetic store, on every load. Counted again at once when a
 * legal hold, a retention request or a tombstone changes (all cheap to read); otherwise records that
 * cross their cutoff, or an erasure run by another process, show at the next count, within the minute. Equal to retentionReview at the time it was counted (test/unit/app/retention-alert.test.ts).
 */
export const REVIEW_TTL_MS = 60_000;
const REVIEWS = new WeakMap<object, { readonly key: string; readonly review: RetentionReview }>();

/** A review and whether it was reused (counted earlier, at `review.at`) rather than counted for this call. */
export interface ReviewAnswer { readonly review: RetentionReview; readonly reused: boolean }

export function retentionReviewReused(ctx: Pick<Context, 'store' | 'settings'>, g: Governance, actor: Actor, opts: { readonly fresh?: boolean } = {}): ReviewAnswer {
  requirePermission(actor, 'retention');
  const erasure = openErasure(ctx.store);
  const holds = g.gov.holds.active().map((h) => `${h.id}:${h.ip}`).join(',');
  const requests = g.gov.approvals.list({ kinds: [HOLD_RELEASE_KIND, ERASURE_KIND], limit: 10_000 }).map((r) => `${r.id}:${r.status}`).join(',');
  const key = `${holds}|${requests}|${erasure.count()}`;
  const hit = REVIEWS.get(ctx.store);
  if (!opts.fresh && hit && hit.key === key && g.now() >= hit.review.at && g.now() - hit.review.at < REVIEW_TTL_MS) return { review: hit.review, reused: true };
  const review = retentionReview(ctx.settings, erasure, g, actor, openCentreErasure(ctx.store));
  REVIEWS.set(ctx.store, { key, review });
  return { review, reused: false };
}

/** The overview's alert: the review, up to a minute old. */
export function overviewRetentionReview(ctx: Pick<Context, 'store' | 'settings'>, g: Governance, actor: Actor): RetentionReview {
  return retentionReviewReused(ctx, g, actor).review;
}

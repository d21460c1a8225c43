import type { Context } from './context.ts';

export interface ReferralListRow {
  readonly id: number; readonly createdAt: number; readonly agency: string; readonly ips: number; readonly sha256: string; readonly path: string;
  /** With an address: the last delivery of it the package covers. */
  readonly coveredTo?: number;
}

/** The referral packages built, newest first; with `ip`, the packages that referred that address. */
export function listReferrals(ctx: Context, input: { readonly ip?: string; readonly limit?: number }): ReferralListRow[] {
  if (input.ip !== undefined) {
    return ctx.store.referrals.referralsOf(input.ip).reverse().map((r) => ({ ...r.package, coveredTo: r.coveredTo }));
  }
  return ctx.store.referrals.referralPackages(input.limit ?? 100);
}

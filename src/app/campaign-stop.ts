import type { CampaignRow } from '../store/campaigns.ts';
import type { Context } from './context.ts';

/**
 * Stops a campaign on this node (issue 12: the centre unassigned it): it releases nothing more and
 * its active decoys are retired, each with the reason (decoy_retirements), so a running node stops
 * serving and announcing them at its next decoy sync. Records stay. Repeating it changes nothing.
 * Returns how many decoys were retired now.
 */
export async function stopCampaign(ctx: Context, c: CampaignRow, reason: string, now = Date.now()): Promise<number> {
  const ids = ctx.store.campaigns.stop(c.id, now, reason);
  if (ids.length === 0) return 0;
  return (await ctx.store.retireDecoys(ids, now, reason)).length;
}

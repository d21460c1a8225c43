import type { Decoy, ServedDecoy } from '../domain/decoy.ts';
import type { EvidenceStore } from '../store/evidence-store.ts';
import { CampaignStore, activeDecoyIds } from '../store/sqlite/campaign-store.ts';
import { SqliteStore } from '../store/sqlite/sqlite-store.ts';
import { campaignDeps, type CampaignHost } from './campaign-deps.ts';
import { LiveDecoySync, type ServedIndex } from './live-sync.ts';
import { stepCampaign } from './release.ts';

/**
 * The seed node's campaign timer: steps every campaign and keeps `index` (and the
 * announcers, through the hooks) in line with the store. Undefined for stores without
 * campaigns (not SQLite).
 */
export function startCampaignSync(ctx: CampaignHost & { readonly store: EvidenceStore }, index: ServedIndex, o: {
  intervalMs: number; now: () => number; log: (m: string) => void;
  onAdded?: (d: Decoy) => void; onRemoved?: (d: ServedDecoy) => void;
}): LiveDecoySync | undefined {
  const store = ctx.store;
  if (!(store instanceof SqliteStore)) return undefined;
  const campaigns = new CampaignStore(store);
  const deps = campaignDeps(ctx, campaigns);
  const sync = new LiveDecoySync({
    step: (now) => {
      let released = 0;
      let retired = 0;
      for (const c of campaigns.list()) { const r = stepCampaign(deps, c, now); released += r.released; retired += r.retired; }
      return { released, retired };
    },
    activeIds: () => activeDecoyIds(store),
    getDecoy: (id) => store.getDecoy(id),
    index, now: o.now, log: o.log,
    ...(o.onAdded ? { onAdded: o.onAdded } : {}), ...(o.onRemoved ? { onRemoved: o.onRemoved } : {}),
  }, { intervalMs: o.intervalMs });
  sync.start();
  return sync;
}

import type { Decoy, ServedDecoy } from '../domain/decoy.ts';
import type { CampaignCatalog } from '../store/campaigns.ts';
import { campaignDeps, type CampaignHost } from './campaign-deps.ts';
import { LiveDecoySync } from './live-sync.ts';
import { stepCampaign } from './release.ts';

/** What a running node serves: every network adapter at once (node/adapters.ts). */
export interface ServedDecoys {
  addDecoy(d: Decoy): void;
  removeDecoy(d: ServedDecoy): void;
  decoys(): Iterable<ServedDecoy>;
  servedIds?(): Float64Array;
}

/** What the timer needs of the store: the campaigns, and a decoy by id. */
interface CampaignStoreView {
  readonly campaigns: CampaignCatalog;
  getDecoy(id: number): Promise<Decoy | undefined>;
}

/** The seed node's campaign timer: steps every campaign and keeps what the node serves (on every network) in line with the store. */
export function startCampaignSync(ctx: CampaignHost & { readonly store: CampaignStoreView }, served: ServedDecoys, o: { intervalMs: number; now: () => number; log: (m: string) => void }): LiveDecoySync {
  const store = ctx.store;
  const campaigns = store.campaigns;
  const deps = campaignDeps(ctx, campaigns);
  const sync = new LiveDecoySync({
    step: (now) => {
      let released = 0;
      let retired = 0;
      for (const c of campaigns.list()) { const r = stepCampaign(deps, c, now); released += r.released; retired += r.retired; }
      return { released, retired };
    },
    activeIds: () => campaigns.activeDecoyIds(),
    getDecoy: (id) => store.getDecoy(id),
    // LiveDecoySync names a removed decoy by infohash, then hands it to onRemoved: the adapters remove it there.
    index: { add: (d) => served.addDecoy(d), remove: () => true, decoys: () => served.decoys(), ...(served.servedIds && { servedIds: () => served.servedIds!() }) },
    onRemoved: (d) => served.removeDecoy(d),
    now: o.now, log: o.log,
  }, { intervalMs: o.intervalMs });
  sync.start();
  return sync;
}

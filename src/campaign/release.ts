import { buildVirtualDecoys, type DecoySpec, type FactoryOptions } from '../decoy/factory.ts';
import type { PaddingLayout } from '../payload/variants/layout.ts';
import type { CampaignCatalog, CampaignRow } from '../store/campaigns.ts';
import type { DecoyFilesCatalog } from '../store/decoy-files.ts';

export interface ReleaseDeps {
  readonly campaigns: CampaignCatalog;
  readonly decoyFiles: DecoyFilesCatalog;
  /** Variant and layout for a file name and a source payload. */
  readonly resolve: (fileName: string, sourceId: string) => { variantId: string; layout: PaddingLayout };
  /** The warning video for an item: by its language/country, else the campaign's payload, else the default. */
  readonly payloadFor: (lang: string | null, campaign: CampaignRow) => string;
  readonly factory?: Pick<FactoryOptions, 'hasher' | 'sizeTaken' | 'onProgress'>;
}

/**
 * One campaign step at `now` (issue 3 §6): release the decoys due today (per_day per
 * started day since creation), then retire those older than the TTL. Release is one
 * transaction: decoys, their files and the item links appear together or not at all.
 */
export function stepCampaign(deps: ReleaseDeps, c: CampaignRow, now: number): { released: number; retired: number } {
  const due = deps.campaigns.due(c, now);
  if (due.length > 0) {
    const specs: DecoySpec[] = due.map(({ item }) => {
      const source = deps.payloadFor(item.lang, c);
      return {
        line: item.seq, name: item.name, hybrid: c.hybrid,
        files: item.files.map((f) => ({ size: f.size, ...deps.resolve(f.name, source), ...(f.path ? { path: f.path } : {}) })),
      };
    });
    const built = buildVirtualDecoys(specs, deps.factory ?? {});
    deps.decoyFiles.insert(built, now, (decoys) => deps.campaigns.markReleased(decoys.map((d, i) => ({ itemId: due[i]!.id, decoy: d })), now));
  }
  return { released: due.length, retired: deps.campaigns.retireExpired(c, now) };
}

import type { TrackerAnnounceObservation } from '../domain/observation.ts';
import type { Context } from './context.ts';

export interface AnnounceFilter {
  /** 40 lower-case hex characters. */
  readonly infoHash?: string;
  readonly limit?: number;
}

/** Announces the built-in tracker received, with the downloaded/left values clients report. */
export async function queryAnnounces(ctx: Context, filter: AnnounceFilter = {}): Promise<TrackerAnnounceObservation[]> {
  return ctx.store.queryAnnounces({ ...(filter.infoHash !== undefined ? { infoHash: filter.infoHash } : {}), ...(filter.limit !== undefined ? { limit: filter.limit } : {}) });
}

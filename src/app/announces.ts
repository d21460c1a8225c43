import type { TrackerAnnounceObservation } from '../domain/observation.ts';
import { nodeRunsOf } from '../node/node-run.ts';
import type { Context } from './context.ts';

export interface AnnounceFilter {
  /** 40 lower-case hex characters. */
  readonly infoHash?: string;
  /** Remote IP address. */
  readonly ip?: string;
  readonly decoyId?: number;
  /** UTC ms: announces at or after `from`, before `to`. */
  readonly from?: number;
  readonly to?: number;
  /** Also the node's own announces to its built-in tracker (left out by default). */
  readonly includeOwn?: boolean;
  /** 'desc' (default) newest first; with `limit`, the newest N. */
  readonly order?: 'asc' | 'desc';
  readonly limit?: number;
}

/**
 * The peer ids this data directory's node presented in its runs (node_runs). Its client announces
 * every decoy to its own built-in tracker at start and stop: with 5,000 decoys, 10,000 rows that
 * are not about anybody else (issue 15 item 12).
 */
export function ownPeerIds(ctx: Pick<Context, 'store'>): string[] {
  const ids = new Set<string>();
  for (const r of nodeRunsOf(ctx.store)) {
    try {
      const p = JSON.parse(r.presented) as { peerId?: unknown };
      if (typeof p.peerId === 'string') ids.add(p.peerId.toLowerCase());
    } catch { /* a run row without a readable presentation names no peer id */ }
  }
  return [...ids];
}

/** Announces the built-in tracker received, with the downloaded/left values clients report; newest first unless `order` says otherwise. */
export async function queryAnnounces(ctx: Pick<Context, 'store'>, filter: AnnounceFilter = {}): Promise<TrackerAnnounceObservation[]> {
  const { includeOwn, order, ...rest } = filter;
  return ctx.store.queryAnnounces({
    ...rest, order: order ?? 'desc',
    ...(includeOwn ? {} : { excludePeerIds: ownPeerIds(ctx) }),
  });
}

import type { AddressHealth, DecoyHealth } from '../store/health.ts';
import type { Context } from './context.ts';

/** An address's counts per bucket, from the bucket holding `since` to the current one (zeros included). */
export { bucketSeries } from '../store/health.ts';

export interface HealthInput {
  readonly hours: number;
  readonly bucketMinutes: number;
  /** The N quietest active decoys. */
  readonly decoys: number;
  readonly now?: number;
}

export interface HealthReport {
  readonly now: number;
  readonly since: number;
  readonly bucketMs: number;
  readonly addresses: readonly AddressHealth[];
  /** With each decoy's name: an operator knows decoys by name, not infohash (issue 15 item 12). */
  readonly decoys: readonly (DecoyHealth & { readonly name: string })[];
}

/** Inbound peer connections per local address and per decoy over time. */
export async function health(ctx: Context, input: HealthInput): Promise<HealthReport> {
  const now = input.now ?? Date.now();
  const since = now - input.hours * 3_600_000;
  const bucketMs = input.bucketMinutes * 60_000;
  const decoys = [];
  for (const d of await ctx.store.health.inboundByDecoy(since, input.decoys)) decoys.push({ ...d, name: (await ctx.store.getDecoy(d.decoyId))?.name ?? '?' });
  return { now, since, bucketMs, addresses: await ctx.store.health.inboundByAddress(since, bucketMs), decoys };
}

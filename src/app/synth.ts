import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { setImmediate } from 'node:timers/promises';
import { AsnTable } from '../analysis/enrichment/asn-table.ts';
import { locateDatabases } from '../analysis/enrichment/sources.ts';
import { addressSource } from '../analysis/synthetic/population.ts';
import { syntheticWorkload } from '../analysis/synthetic/workload.ts';
import type { Settings } from '../config/settings.ts';
import { InputError } from '../domain/errors.ts';
import { seededRandom } from '../lab/prng.ts';
import { openContext } from '../node/context.ts';
import { refreshIntel, type RefreshResult } from './intel-refresh.ts';

export interface SynthInput {
  readonly out: string;
  readonly deliveries: number;
  readonly seed?: number;
  /** First day of the synthetic year (UTC ms); default 2025-01-01. */
  readonly start?: number;
  readonly days?: number;
  readonly batch?: number;
  readonly progress?: (written: number) => void;
  /** SIGINT/SIGTERM: stops between batches, and the half-made directory is removed. */
  readonly signal?: AbortSignal;
}

export interface SynthResult {
  readonly deliveries: number;
  readonly announces: number;
  readonly ips: number;
  readonly crawlers: number;
  readonly cgnat: number;
  readonly decoys: number;
  readonly writeSeconds: number;
  readonly refreshSeconds: number;
  readonly refresh: RefreshResult;
}

/**
 * `counterseed synth` (issue 11 item 6): a NEW data directory of synthetic records, marked
 * synthetic in its PURPOSE file and in the store, for benchmarks and demos. Refuses an existing
 * directory (synthetic records never mix with real ones); removes what it made if it fails.
 * Rows are bulk-inserted (store/synthetic.ts), not chained; the analysis rollups and enrichment
 * are brought up to date at the end, as the first `stats` would.
 */
export async function synthesize(settings: Settings, input: SynthInput, log: (m: string) => void): Promise<SynthResult> {
  if (!Number.isSafeInteger(input.deliveries) || input.deliveries < 1) throw new InputError('--deliveries: a whole number >= 1');
  if (existsSync(input.out)) throw new InputError(`${input.out} exists: synth writes only into a new directory (synthetic records never mix with other data)`);
  const asnFiles = locateDatabases(undefined).asn;
  if (asnFiles.length === 0) throw new InputError('synth draws addresses from the ASN ranges: install the optional dependency @ip-location-db/asn (npm install)');
  mkdirSync(input.out, { recursive: true, mode: 0o700 });
  try {
    // THE purpose check and claim (node/data-purpose.ts): the new directory's PURPOSE file says synthetic.
    const ctx = openContext({ ...settings, dataDir: input.out }, log, undefined, 'synthetic');
    try {
      const now = Date.now();
      // A PostgreSQL store outlives the directory: never add a workload to one that holds records.
      if ((await ctx.store.queryDeliveries({ limit: 1 })).length > 0) throw new InputError('the store already holds deliveries: synth writes only into an empty store');
      ctx.store.intel.setPurpose('synthetic', `counterseed synth --deliveries ${input.deliveries} --seed ${input.seed ?? 1}`, now);
      const payloadId = ctx.payloads.list()[0]!.id;
      const table = AsnTable.fromCsv(...asnFiles.map((f) => readFileSync(f, 'utf8')));
      const seed = input.seed ?? 1;
      const w = syntheticWorkload({ deliveries: input.deliveries, seed, start: input.start ?? Date.UTC(2025, 0, 1), days: input.days ?? 365, payloadId },
        addressSource(table, seededRandom(seed ^ 0x5eed)));
      const writer = ctx.store.intel.syntheticWriter();
      const t0 = performance.now();
      writer.campaigns(w.campaigns);
      writer.decoys(w.decoys);
      let deliveries = 0;
      let announces = 0;
      for (const b of w.batches(input.batch ?? 50_000)) {
        writer.deliveries(b.deliveries);
        writer.announces(b.announces);
        deliveries += b.deliveries.length;
        announces += b.announces.length;
        input.progress?.(deliveries);
        // Let a signal in (the loop is otherwise synchronous), then stop if it came.
        await setImmediate();
        input.signal?.throwIfAborted();
      }
      writer.finish();
      const t1 = performance.now();
      const refresh = refreshIntel(ctx);
      const t2 = performance.now();
      return { deliveries, announces, ...w.stats, decoys: w.decoys.length, writeSeconds: (t1 - t0) / 1000, refreshSeconds: (t2 - t1) / 1000, refresh };
    } finally {
      await ctx.close();
    }
  } catch (e) {
    rmSync(input.out, { recursive: true, force: true });
    throw e;
  }
}

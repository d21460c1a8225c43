import { setTimeout as sleep } from 'node:timers/promises';
import { parseCampaignCsv } from '../campaign/campaign-csv.ts';
import type { NodeHealthReport } from '../centre/assignment.ts';
import { pullAssignment, type PulledAssignment } from '../centre/assignment-client.ts';
import { CentreUnavailableError } from '../centre/errors.ts';
import { loadNodeKey } from '../evidence/keys.ts';
import type { AdapterHealth } from '../network/network-adapter.ts';
import { InputError } from '../domain/errors.ts';
import { stopCampaign } from './campaign-stop.ts';
import { createCampaign } from './campaigns.ts';
import type { Context } from './context.ts';

/** The node's side of issue 12 item 4: pull the centre's assignment, create the assigned campaigns it lacks. */

export interface AppliedAssignment {
  /** Assigned campaigns this node runs (created now or earlier). */
  readonly campaigns: string[];
  /** Created by this pull. */
  readonly created: string[];
  /** Unassigned campaigns stopped by this pull (their decoys retired here). */
  readonly stopped: string[];
  /** Assigned campaigns it could not create, with the reason. */
  readonly problems: string[];
}

/** The reason recorded with each decoy retired because the centre unassigned its campaign. */
export const UNASSIGNED_REASON = 'campaign unassigned at the centre';

/**
 * Creates, on this node, every assigned campaign it does not have yet (by name), exactly as
 * `campaign create` would from the same list: the node builds the decoys (its own presentation).
 * Stops every campaign the centre unassigned (`centre unassign`): it releases nothing more and its
 * decoys are retired (a running node stops serving and announcing them at its next decoy sync);
 * the records stay. A stopped campaign is not restarted by assigning its name again: it is reported
 * as a problem (assign a new name).
 */
export async function applyAssignment(ctx: Context, pulled: PulledAssignment, now = Date.now()): Promise<AppliedAssignment> {
  const have = new Map(ctx.store.campaigns.list().map((c) => [c.name, c]));
  const out: AppliedAssignment = { campaigns: [], created: [], stopped: [], problems: [] };
  for (const name of pulled.unassigned) {
    const c = have.get(name);
    if (!c) continue;
    const retired = await stopCampaign(ctx, c, UNASSIGNED_REASON, now);
    if (c.stoppedAt == null || retired > 0) out.stopped.push(name);
  }
  for (const a of pulled.campaigns) {
    const c = have.get(a.campaign);
    if (c && c.stoppedAt != null) {
      out.problems.push(`${a.campaign}: stopped here at ${new Date(c.stoppedAt).toISOString()} (unassigned); assign it under a new name`);
      continue;
    }
    if (!c) {
      try {
        createCampaign(ctx, { name: a.campaign, items: parseCampaignCsv(a.list), perDay: a.perDay, ttlDays: a.ttlDays, hybrid: a.hybrid, now, ...(a.payloadId !== null ? { payloadId: a.payloadId } : {}) });
        out.created.push(a.campaign);
      } catch (e) {
        out.problems.push(`${a.campaign}: ${(e as Error).message.split('\n')[0]!.slice(0, 500)}`);
        continue;
      }
    }
    out.campaigns.push(a.campaign);
  }
  return out;
}

const DAY_MS = 86_400_000;

async function healthReport(ctx: Context, adapters: readonly AdapterHealth[], last: AppliedAssignment | undefined, now: number): Promise<NodeHealthReport> {
  const inbound = (await ctx.store.health.inboundByAddress(now - DAY_MS, DAY_MS)).map((a) => ({ localIp: a.localIp, total: a.total, lastAt: a.lastAt }));
  return { at: now, adapters, inbound, campaigns: last?.campaigns ?? [], problems: last?.problems ?? [] };
}

/** One pull and apply (`centre pull`): the report sent says what this node runs after the previous apply. */
export async function pullFromCentre(ctx: Context, o: { url: string; adapters?: readonly AdapterHealth[]; last?: AppliedAssignment; signal?: AbortSignal }): Promise<AppliedAssignment> {
  if (o.url === '') throw new InputError('give the centre with --centre http(s)://host:port (or COUNTERSEED_CENTRE)');
  const key = loadNodeKey(ctx.settings.dataDir);
  if (!key) throw new InputError(`no node key in ${ctx.settings.dataDir}/keys: the centre knows a node by its key`);
  let assigned: PulledAssignment;
  try {
    assigned = await pullAssignment({ url: o.url, key, health: await healthReport(ctx, o.adapters ?? [], o.last, Date.now()), ...(o.signal ? { signal: o.signal } : {}) });
  } catch (e) { throw new CentreUnavailableError(`centre ${o.url}: ${(e as Error).message}`, { cause: e }); }
  return applyAssignment(ctx, assigned);
}

/** How often a running node pulls its assignment and reports its health. */
export const PULL_INTERVAL_MS = 60_000;

/**
 * A running seed's pull loop: at start and every PULL_INTERVAL_MS until `signal` aborts; after a pull
 * that created campaigns, `onCreated` (the node serves their decoys at once). Failures are logged
 * once until the centre answers again; serving never waits on this.
 */
export async function assignmentLoop(ctx: Context, o: { url: string; health: () => readonly AdapterHealth[]; onCreated: () => Promise<void>; signal: AbortSignal; log: (m: string) => void; intervalMs?: number }): Promise<void> {
  let last: AppliedAssignment | undefined;
  let failing = false;
  while (!o.signal.aborted) {
    try {
      last = await pullFromCentre(ctx, { url: o.url, adapters: o.health(), ...(last ? { last } : {}), signal: o.signal });
      failing = false;
      for (const p of last.problems) o.log(`centre assignment not applied: ${p}`);
      if (last.stopped.length > 0) {
        o.log(`centre unassigned campaign(s) ${last.stopped.join(', ')}: stopped here, their decoys retired`);
        if (last.created.length === 0) await o.onCreated();
      }
      if (last.created.length > 0) {
        o.log(`centre assigned campaign(s) ${last.created.join(', ')}: created here`);
        await o.onCreated();
        continue; // pull again at once: the centre learns that the node runs them (the next pull creates nothing, so this ends)
      }
    } catch (e) {
      if (o.signal.aborted) break;
      if (!failing) o.log(`centre ${o.url}: assignment pull failed (${(e as Error).message}); retrying`);
      failing = true;
    }
    await sleep(o.intervalMs ?? PULL_INTERVAL_MS, undefined, { signal: o.signal }).catch(() => undefined);
  }
}

import { parseCampaignCsv } from '../campaign/campaign-csv.ts';
import { campaignDeps } from '../campaign/campaign-deps.ts';
import { stepCampaign } from '../campaign/release.ts';
import { NameListError, type NameListIssue } from '../decoy/errors.ts';
import { extensionIssues } from '../decoy/file-resolver.ts';
import { readListFile } from '../decoy/list-file.ts';
import type { CampaignItem } from '../domain/campaign.ts';
import { minSize } from '../payload/variants/layout.ts';
import type { CampaignCatalog, CampaignCounts, CampaignRow } from '../store/campaigns.ts';
import { campaignDeliveries } from './campaign-deliveries.ts';
import type { Context } from './context.ts';
import type { Progress } from './decoys.ts';
import { StoreCapabilityError } from './errors.ts';

function campaignStore(ctx: Context): CampaignCatalog {
  return ctx.store.campaigns;
}

function deps(ctx: Context, campaigns: CampaignCatalog, onProgress?: Progress): ReturnType<typeof campaignDeps> {
  return campaignDeps(ctx, campaigns, onProgress);
}

/** Reads and checks a campaign list (CSV name,size,language,folder) before any data directory is opened. */
export function readCampaignList(file: string): CampaignItem[] {
  return parseCampaignCsv(readListFile(file));
}

export interface CreateCampaignInput {
  readonly name: string;
  /** The checked campaign list (readCampaignList). */
  readonly items: readonly CampaignItem[];
  readonly perDay: number;
  readonly ttlDays: number;
  /** Warning video for rows without a language; the built-in one when absent. */
  readonly payloadId?: string;
  /** Hybrid v1+v2 torrents (BEP 52). */
  readonly hybrid: boolean;
  readonly now?: number;
  readonly onProgress?: Progress;
}

export interface CreateCampaignResult { readonly campaign: CampaignRow; readonly planned: number; readonly released: number }

/** Creates a campaign and releases today's decoys; every row is checked first (all or nothing). */
export function createCampaign(ctx: Context, input: CreateCampaignInput): CreateCampaignResult {
  const items = input.items;
  const payloadId = input.payloadId !== undefined ? ctx.payloads.get(input.payloadId).id : null;
  const store = campaignStore(ctx);
  const now = input.now ?? Date.now();
  const d = deps(ctx, store, input.onProgress);
  const row = { name: input.name, perDay: input.perDay, ttlDays: input.ttlDays, payloadId, createdAt: now, hybrid: input.hybrid };
  // Every row is checked now, not on the day it is released: sizes must fit the variant.
  const probe: CampaignRow = { id: 0, ...row };
  const issues: NameListIssue[] = [];
  issues.push(...extensionIssues(items.flatMap((it) => it.files.map((f) => ({ line: it.seq, name: f.name })))));
  for (const it of items) {
    const langProblem = it.lang === null ? undefined : d.languageProblem(it.lang);
    if (langProblem) issues.push({ line: it.seq, message: langProblem });
  }
  for (const it of items) for (const f of it.files) {
    const min = minSize(d.resolve(f.name, d.payloadFor(it.lang, probe)).layout);
    if (f.size !== null && f.size < min) issues.push({ line: it.seq, message: `${f.name}: size ${f.size} is below the warning variant's ${min} bytes` });
  }
  if (issues.length) throw new NameListError(issues);
  const c = store.create(row, items);
  const r = stepCampaign(d, c, now);
  return { campaign: c, planned: items.length, released: r.released };
}

export interface CampaignStep { readonly name: string; readonly released: number; readonly retired: number }

/**
 * Releases the decoys due and retires expired ones, for every campaign. `onStep` hears of each
 * campaign as soon as it is stepped, so a failure in a later one does not hide the earlier ones.
 */
export function tickCampaigns(ctx: Context, input: { readonly now?: () => number; readonly onProgress?: Progress; readonly onStep?: (s: CampaignStep) => void } = {}): CampaignStep[] {
  const store = campaignStore(ctx);
  const d = deps(ctx, store, input.onProgress);
  const now = input.now ?? Date.now;
  return store.list().map((c) => {
    const step = { name: c.name, ...stepCampaign(d, c, now()) };
    input.onStep?.(step);
    return step;
  });
}

export type CampaignSummary = CampaignRow & CampaignCounts;

/** Every campaign with its counts; the deliveries come from campaignDeliveries (cached by data version). */
export function listCampaigns(ctx: Context): CampaignSummary[] {
  const store = campaignStore(ctx);
  const deliveries = campaignDeliveries(ctx);
  return store.list().map((c) => ({ ...c, ...store.statusCounts(c.id), deliveries: deliveries.get(c.id) ?? 0 }));
}

/** Every campaign with its planned, active and retired decoys, without reading deliveries (the overview's need). */
export function listCampaignStatus(ctx: Context): (CampaignRow & Omit<CampaignCounts, 'deliveries'>)[] {
  const store = campaignStore(ctx);
  return store.list().map((c) => ({ ...c, ...store.statusCounts(c.id) }));
}

/** One campaign; NotFoundError when there is none of that name. */
export function showCampaign(ctx: Context, name: string): CampaignSummary {
  const store = campaignStore(ctx);
  const c = store.get(name);
  return { ...c, ...store.statusCounts(c.id), deliveries: campaignDeliveries(ctx).get(c.id) ?? 0 };
}

/** One campaign with what `campaign show` prints beyond the list line (issue 15 item 12). */
export interface CampaignDetails extends CampaignSummary {
  /** The label of the campaign's payload, or null when rows pick theirs by language (or the default). */
  readonly payloadLabel: string | null;
  /** Days of releases left at perDay a day (planned / perDay, rounded up). */
  readonly releaseDaysLeft: number;
}

export function campaignDetails(ctx: Context, name: string): CampaignDetails {
  const c = showCampaign(ctx, name);
  const payloadLabel = c.payloadId === null ? null : (ctx.payloads.list().find((p) => p.id === c.payloadId)?.label ?? null);
  return { ...c, payloadLabel, releaseDaysLeft: Math.ceil(c.planned / c.perDay) };
}

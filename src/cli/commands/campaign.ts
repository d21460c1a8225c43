import { parseCampaignCsv } from '../../campaign/campaign-csv.ts';
import { stepCampaign } from '../../campaign/release.ts';
import { campaignDeps } from '../../campaign/campaign-deps.ts';
import { NameListError, type NameListIssue } from '../../decoy/errors.ts';
import { readListFile } from '../../decoy/list-file.ts';
import { extensionIssues } from '../../decoy/file-resolver.ts';
import { minSize } from '../../payload/variants/layout.ts';
import { InputError } from '../../domain/errors.ts';
import { openContext, type Context } from '../../node/context.ts';
import type { CampaignCatalog, CampaignCounts, CampaignRow } from '../../store/campaigns.ts';
import { optionalInt, requireString } from '../args.ts';
import type { Command } from '../command.ts';
import { progressBar } from './campaign-progress.ts';

function deps(ctx: Context, campaigns: CampaignCatalog): ReturnType<typeof campaignDeps> {
  const bar = progressBar('building decoys');
  return campaignDeps(ctx, campaigns, (d, t) => bar.update(d, t));
}

function campaignStore(ctx: Context): CampaignCatalog {
  return ctx.store.campaigns;
}

export const campaignCreate: Command = {
  name: 'campaign create',
  summary: 'Create a campaign from a CSV (name,size,language,folder); releases N decoys a day, retires them after TTL days',
  positionals: 'NAME',
  options: {
    names: { type: 'string', arg: 'FILE.csv', doc: 'Name list: name,size,language,folder (all but name optional)' },
    'per-day': { type: 'string', arg: 'N', doc: 'Decoys released per day' },
    ttl: { type: 'string', arg: 'DAYS', doc: 'Days a decoy is served before it is retired' },
    payload: { type: 'string', arg: 'ID', doc: 'Warning video for rows without a language (default: the built-in one)' },
    hybrid: { type: 'boolean', doc: 'Hybrid v1+v2 torrents (BEP 52, BEP 47 pad files); served on the v1 infohash. Default: v1' },
  },
  async run(args, io) {
    const name = args.positionals[0];
    if (!name || args.positionals.length > 1 || name.length > 100) throw new InputError('expected exactly one campaign NAME (at most 100 characters)');
    const file = requireString(args, 'names', 'campaign create');
    const perDay = optionalInt(args, 'per-day', 1, 1_000_000);
    const ttl = optionalInt(args, 'ttl', 1, 36_500);
    if (perDay === undefined || ttl === undefined) throw new InputError('--per-day and --ttl are required');
    const items = parseCampaignCsv(readListFile(file));
    const ctx = openContext(io.settings, io.err);
    try {
      const payloadId = typeof args.options.payload === 'string' ? ctx.payloads.get(args.options.payload).id : null;
      const store = campaignStore(ctx);
      const now = Date.now();
      const d = deps(ctx, store);
      // Every row is checked now, not on the day it is released: sizes must fit the variant.
      const hybrid = args.options.hybrid === true;
      const probe: CampaignRow = { id: 0, name, perDay, ttlDays: ttl, payloadId, createdAt: now, hybrid };
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
      const c = store.create({ name, perDay, ttlDays: ttl, payloadId, createdAt: now, hybrid }, items);
      const r = stepCampaign(d, c, now);
      io.out(`campaign ${name}: ${items.length} torrents planned, ${r.released} released today, ${perDay}/day, retired after ${ttl} days`);
    } finally { await ctx.close(); }
  },
};

export const campaignTick: Command = {
  name: 'campaign tick',
  summary: 'Release the decoys due today and retire expired ones, for every campaign (run daily, e.g. from cron)',
  async run(_args, io) {
    const ctx = openContext(io.settings, io.err);
    try {
      const store = campaignStore(ctx);
      const d = deps(ctx, store);
      for (const c of store.list()) {
        const r = stepCampaign(d, c, Date.now());
        io.out(`${c.name}: released ${r.released}, retired ${r.retired}`);
      }
    } finally { await ctx.close(); }
  },
};

function line(c: CampaignRow, n: CampaignCounts): string {
  return `${c.name.padEnd(24)} planned ${String(n.planned).padStart(7)}  active ${String(n.active).padStart(7)}  retired ${String(n.retired).padStart(7)}  deliveries ${String(n.deliveries).padStart(8)}  (${c.perDay}/day, ttl ${c.ttlDays} d${c.hybrid ? ', hybrid v1+v2' : ''})`;
}

export const campaignList: Command = {
  name: 'campaign list',
  summary: 'List campaigns with planned, active and retired decoys and deliveries so far',
  options: { json: { type: 'boolean', doc: 'JSON output' } },
  async run(args, io) {
    const ctx = openContext(io.settings, io.err);
    try {
      const store = campaignStore(ctx);
      const all = store.list().map((c) => ({ ...c, ...store.counts(c.id) }));
      if (args.options.json) io.out(JSON.stringify(all, null, 2));
      else for (const c of all) io.out(line(c, c));
    } finally { await ctx.close(); }
  },
};

export const campaignShow: Command = {
  name: 'campaign show',
  summary: 'Show one campaign: planned, active, retired, deliveries',
  positionals: 'NAME',
  options: { json: { type: 'boolean', doc: 'JSON output' } },
  async run(args, io) {
    const name = args.positionals[0];
    if (!name) throw new InputError('expected a campaign NAME');
    const ctx = openContext(io.settings, io.err);
    try {
      const store = campaignStore(ctx);
      const c = store.get(name);
      const n = store.counts(c.id);
      io.out(args.options.json ? JSON.stringify({ ...c, ...n }, null, 2) : line(c, n));
    } finally { await ctx.close(); }
  },
};

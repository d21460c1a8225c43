import { createCampaign, listCampaigns, readCampaignList, campaignDetails, tickCampaigns, type CampaignSummary } from '../../app/campaigns.ts';
import { withContext } from '../../app/context.ts';
import { InputError } from '../../domain/errors.ts';
import { optionalInt, requireString } from '../args.ts';
import type { Command } from '../command.ts';
import { progressBar } from './campaign-progress.ts';
import { purposeLines, shownTime } from '../records-output.ts';

export const campaignCreate: Command = {
  name: 'campaign create',
  data: 'create',
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
    const items = readCampaignList(file);
    const payloadId = typeof args.options.payload === 'string' ? args.options.payload : undefined;
    const bar = progressBar('building decoys');
    const r = await withContext(io.settings, io.err, (ctx) => createCampaign(ctx, {
      name, items, perDay, ttlDays: ttl, hybrid: args.options.hybrid === true, onProgress: (d, t) => bar.update(d, t),
      ...(payloadId !== undefined ? { payloadId } : {}),
    }));
    io.out(`campaign ${name}: ${r.planned} torrents planned, ${r.released} released today, ${perDay}/day, retired after ${ttl} days`);
  },
};

export const campaignTick: Command = {
  name: 'campaign tick',
  data: 'existing',
  summary: 'Release the decoys due today and retire expired ones, for every campaign (run daily, e.g. from cron)',
  async run(_args, io) {
    const bar = progressBar('building decoys');
    await withContext(io.settings, io.err, (ctx) => tickCampaigns(ctx, {
      onProgress: (d, t) => bar.update(d, t), onStep: (s) => io.out(`${s.name}: released ${s.released}, retired ${s.retired}`),
    }));
  },
};

function line(c: CampaignSummary): string {
  return `${c.name.padEnd(24)} planned ${String(c.planned).padStart(7)}  active ${String(c.active).padStart(7)}  retired ${String(c.retired).padStart(7)}  deliveries ${String(c.deliveries).padStart(8)}  (${c.perDay}/day, ttl ${c.ttlDays} d${c.hybrid ? ', hybrid v1+v2' : ''})`;
}

export const campaignList: Command = {
  name: 'campaign list',
  data: 'existing',
  summary: 'List campaigns with planned, active and retired decoys and deliveries so far',
  options: { json: { type: 'boolean', doc: 'JSON output' } },
  async run(args, io) {
    const { all, purpose } = await withContext(io.settings, io.err, async (ctx) => ({ purpose: ctx.purpose, all: await listCampaigns(ctx) }), 'read');
    if (args.options.json) { io.out(JSON.stringify(all.map((c) => ({ ...c, purpose })), null, 2)); return; }
    for (const l of purposeLines(purpose)) io.out(l);
    for (const c of all) io.out(line(c));
  },
};

export const campaignShow: Command = {
  name: 'campaign show',
  data: 'existing',
  summary: 'Show one campaign\'s details: schedule, payload, planned, active, retired decoys and deliveries',
  positionals: 'NAME',
  options: { json: { type: 'boolean', doc: 'JSON output' } },
  async run(args, io) {
    const name = args.positionals[0];
    if (!name || args.positionals.length > 1) throw new InputError('expected one campaign NAME');
    const { c, purpose } = await withContext(io.settings, io.err, async (ctx) => ({ purpose: ctx.purpose, c: await campaignDetails(ctx, name) }), 'read');
    if (args.options.json) { io.out(JSON.stringify({ ...c, purpose }, null, 2)); return; }
    for (const l of purposeLines(purpose)) io.out(l);
    // One field per line (issue 15 item 12: show printed the list line).
    const rows: [string, string | number][] = [
      ['campaign', `${c.name} (id ${c.id})`], [`created (${shownTime(io.settings).label})`, shownTime(io.settings)(c.createdAt)],
      ['release', `${c.perDay} decoys a day; each retired after ${c.ttlDays} days`], ['torrents', c.hybrid ? 'hybrid v1+v2 (BEP 52)' : 'v1'],
      ['payload', c.payloadId === null ? 'by each row\'s language, else the default warning video' : `${c.payloadLabel ?? '?'} (${c.payloadId.slice(0, 12)}…)`],
      ['planned', `${c.planned} decoys not yet released (${c.releaseDaysLeft} more days of releases)`],
      ['active', c.active], ['retired', c.retired], ['deliveries', c.deliveries],
    ];
    for (const [k, v] of rows) io.out(`${k.padEnd(15)}${v}`);
  },
};

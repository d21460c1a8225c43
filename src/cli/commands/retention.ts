import { userInfo } from 'node:os';
import { withContext } from '../../app/context.ts';
import { checkTombstones, runErasure } from '../../app/erasure.ts';
import { withGovernance, type Actor } from '../../app/governance.ts';
import { listHolds, placeHold, reviewRetention } from '../../app/retention.ts';
import { InputError } from '../../domain/errors.ts';
import type { Command } from '../command.ts';

/** The shell user, as the access log names them (the CLI has no session; whoever runs it holds the data directory). */
const cliActor = (): Actor => ({ id: 0, username: `cli:${userInfo().username}`, role: 'supervisor' });
const day = (ms: number | null): string => (ms === null ? '-' : new Date(ms).toISOString().slice(0, 10));
const SETTINGS = ['retentionDeliveriesDays', 'retentionAnnouncesDays', 'retentionPresenceDays', 'retentionRejectedDays'] as const;

export const retentionReviewCmd: Command = {
  name: 'retention review',
  data: 'existing',
  summary: 'Periodic review (LED Art. 5): per category of record, its retention period, what is due for erasure and what legal holds keep',
  settings: SETTINGS,
  options: { json: { type: 'boolean', doc: 'JSON output' } },
  async run(args, io) {
    const r = await withContext(io.settings, io.err, (ctx) => withGovernance(io.settings, (g) => reviewRetention(ctx, g, cliActor())), 'read');
    if (args.options.json) { io.out(JSON.stringify(r, null, 2)); return; }
    io.out(`retention review at ${new Date(r.at).toISOString()} (UTC)`);
    for (const c of r.categories) io.out(`  ${c.category.padEnd(11)} kept ${String(c.days).padStart(5)} d  due ${String(c.due).padStart(9)}  held ${String(c.held).padStart(7)}  cut-off ${day(c.cutoff)}  oldest due ${day(c.oldestDue)}`);
    for (const c of r.centre?.categories ?? []) io.out(`  centre records shipped by nodes, ${c.category}: due ${c.due}`);
    io.out(`${r.activeHolds} legal holds; ${r.erasedRecords} records erased so far; ${r.pendingRequests} requests pending; ${r.approvedErasures} approved erasures waiting for 'retention run'`);
    const due = r.categories.reduce((n, c) => n + c.due, 0) + (r.centre?.categories ?? []).reduce((n, c) => n + c.due, 0) + r.approvedErasures;
    if (due > 0) io.out(`DUE: run 'counterseed retention run' to erase them`);
  },
};

export const retentionRunCmd: Command = {
  name: 'retention run',
  data: 'existing',
  summary: 'The erasure job: erase records past their retention period (not under legal hold) and the early erasures a supervisor approved; each erasure is logged',
  settings: SETTINGS,
  options: { 'dry-run': { type: 'boolean', doc: 'Count what would be erased; erase and log nothing' } },
  async run(args, io) {
    const dryRun = args.options['dry-run'] === true;
    const r = await withContext(io.settings, io.err, (ctx) => withGovernance(io.settings, (g) => runErasure(ctx, g, { dryRun })), 'read');
    const verb = dryRun ? 'would erase' : 'erased';
    for (const c of r.categories) io.out(`${c.category}: ${verb} ${c.erased} records started before ${new Date(c.cutoff).toISOString()}; ${c.held} kept by legal hold`);
    for (const q of r.requests) io.out(`request ${q.id} (${q.ip}): ${q.status === 'done' ? `${verb} ${q.erased} records` : `not erased (${q.note ?? 'under legal hold'})`}`);
    for (const c of r.centre?.categories ?? []) io.out(`centre records, ${c.category}: ${verb} ${c.erased} records shipped by nodes`);
    for (const q of r.centre?.requests ?? []) io.out(`centre records, request ${q.id}: ${verb} ${q.erased} records shipped by nodes`);
    for (const p of r.packages) io.out(`web export package ${p.id}: ${p.erased ? `${dryRun ? 'would delete' : 'deleted'} (${p.records} personal records, all past their periods)` : `kept (${p.kept})`}`);
  },
};

export const retentionHoldCmd: Command = {
  name: 'retention hold',
  data: 'existing',
  summary: 'Place a legal hold on an address (its records are never erased while it lasts); releasing one is four-eyes, in the web app',
  options: { ip: { type: 'string', arg: 'IP', doc: 'The address' }, case: { type: 'string', arg: 'REF', doc: 'Case reference (logged)' } },
  async run(args, io) {
    if (typeof args.options.ip !== 'string') throw new InputError('--ip IP is required');
    const input = { ip: args.options.ip, ...(typeof args.options.case === 'string' ? { caseRef: args.options.case } : {}) };
    const h = await withGovernance(io.settings, (g) => placeHold(g, cliActor(), input));
    io.out(`legal hold ${h.id} on ${h.ip} (case ${h.caseRef})`);
  },
};

export const retentionHoldsCmd: Command = {
  name: 'retention holds',
  data: 'existing',
  summary: 'List active legal holds (a logged consultation: they name addresses)',
  async run(_args, io) {
    const holds = await withGovernance(io.settings, (g) => listHolds(g, cliActor()));
    for (const h of holds) io.out(`${h.id}\t${h.ip}\t${h.caseRef}\t${h.placedBy}\t${new Date(h.placedAt).toISOString()}`);
    if (holds.length === 0) io.out('no active legal holds');
  },
};

export const retentionVerifyCmd: Command = {
  name: 'retention verify',
  data: 'existing',
  summary: 'Check that every erased record\'s tombstone belongs to an erasure the access log records, within its record numbers (exit 1 if not)',
  async run(_args, io) {
    const v = await withContext(io.settings, io.err, (ctx) => withGovernance(io.settings, (g) => checkTombstones(ctx, g)), 'read');
    io.out(`${v.ok ? 'ok' : 'FAILED'}: ${v.tombstones} tombstones from ${v.erasures} erasures`);
    for (const p of v.problems) io.out(`  ${p}`);
    return v.ok ? 0 : 1;
  },
};

import { CASE_STATUSES, createCase, linkCase, listCases, noteCase, setCaseStatus, showCase } from '../../app/cases.ts';
import { withContext } from '../../app/context.ts';
import { InputError } from '../../domain/errors.ts';
import { optionalInt } from '../args.ts';
import type { Command, ParsedArgs } from '../command.ts';
import { table } from '../intel-output.ts';
import { utc } from '../records-output.ts';

const one = (args: ParsedArgs, n: number, what: string) => {
  if (args.positionals.length !== n) throw new InputError(`expected ${what}`);
  return args.positionals;
};
const list = (v: unknown): string[] => (Array.isArray(v) ? v as string[] : typeof v === 'string' ? [v] : []);

export const casesCreate: Command = {
  name: 'cases create',
  data: 'existing',
  summary: 'Open a case in the register: an id (as in `evidence export --case ID`), a title, a status',
  positionals: 'ID',
  options: {
    title: { type: 'string', arg: 'TEXT', doc: 'What the case is about (required)' },
    status: { type: 'string', arg: CASE_STATUSES.join('|'), doc: 'Initial status (default open)' },
  },
  async run(args, io) {
    const [id] = one(args, 1, 'one case ID');
    if (typeof args.options.title !== 'string') throw new InputError('cases create: --title TEXT is required');
    const title = args.options.title;
    const status = typeof args.options.status === 'string' ? args.options.status : undefined;
    const c = await withContext(io.settings, io.err, (ctx) => createCase(ctx, { id: id!, title, ...(status !== undefined ? { status } : {}) }), 'read');
    io.out(`case ${c.id} created (${c.status}) at ${utc(c.createdAt)}`);
  },
};

export const casesList: Command = {
  name: 'cases list',
  data: 'existing',
  summary: 'Cases in the register, newest first, with their links and notes counted',
  options: {
    status: { type: 'string', arg: CASE_STATUSES.join('|'), doc: 'Only cases with this status' },
    limit: { type: 'string', arg: 'N', doc: 'At most N cases (default 1000)' },
    json: { type: 'boolean', doc: 'JSON output' },
  },
  async run(args, io) {
    const limit = optionalInt(args, 'limit', 1, 1_000_000);
    const status = typeof args.options.status === 'string' ? args.options.status : undefined;
    const rows = await withContext(io.settings, io.err, (ctx) => listCases(ctx, { ...(status !== undefined ? { status } : {}), ...(limit !== undefined ? { limit } : {}) }), 'read');
    if (args.options.json) { io.out(JSON.stringify(rows, null, 2)); return; }
    table(['id', 'status', 'created (UTC)', 'updated (UTC)', 'links', 'notes', 'title'], rows.map((c) => [c.id, c.status, utc(c.createdAt), utc(c.updatedAt), c.links, c.notes, c.title]), io.out, 4);
  },
};

export const casesShow: Command = {
  name: 'cases show',
  data: 'existing',
  summary: 'One case: its links (addresses, records, sources, saved exports with their filters), referrals of its addresses, notes and status changes',
  positionals: 'ID',
  options: { json: { type: 'boolean', doc: 'JSON output' } },
  async run(args, io) {
    const [id] = one(args, 1, 'one case ID');
    const c = await withContext(io.settings, io.err, (ctx) => showCase(ctx, id!), 'read');
    if (args.options.json) { io.out(JSON.stringify(c, null, 2)); return; }
    io.out(`Case ${c.id}: ${c.title}`);
    io.out(`  status ${c.status}; opened ${utc(c.createdAt)} (UTC)`);
    io.out('');
    io.out(`Links (${c.links.length}):`);
    table(['kind', 'reference', 'added (UTC)'], c.links.map((l) => [l.kind, l.ref, utc(l.addedAt)]), io.out, 99);
    io.out('');
    io.out('Saved exports (re-run with `counterseed evidence export --case NAME --out DIR`):');
    table(['name', 'filter'], c.exports.map((e) => [e.name, e.filter]), io.out, 99);
    io.out('');
    io.out('Referrals of its addresses:');
    table(['ip', 'agency', 'referred (UTC)', 'referral.json sha256'], c.referrals.map((r) => [r.ip, r.agency, utc(r.referredAt), r.sha256]), io.out, 99);
    io.out('');
    io.out('Notes and status changes:');
    for (const e of c.entries) io.out(`  ${utc(e.at)}  ${e.kind === 'status' ? `status -> ${e.text}` : e.text.replace(/\n/g, '\n    ')}`);
  },
};

export const casesLink: Command = {
  name: 'cases link',
  data: 'existing',
  summary: 'Link addresses, evidence records, sources and saved exports to a case (all or nothing)',
  positionals: 'ID',
  options: {
    ip: { type: 'string', multiple: true, arg: 'IP', doc: 'An address' },
    record: { type: 'string', multiple: true, arg: 'SEQ', doc: 'An evidence record, by its number in the log' },
    source: { type: 'string', multiple: true, arg: 'REF', doc: 'A source: a free reference (who supplied what, their reference)' },
    export: { type: 'string', multiple: true, arg: 'NAME', doc: 'A saved export (`evidence export --case NAME`)' },
  },
  async run(args, io) {
    const [id] = one(args, 1, 'one case ID');
    const o = args.options;
    const n = await withContext(io.settings, io.err, (ctx) => linkCase(ctx, id!, { ips: list(o.ip), records: list(o.record), sources: list(o.source), exports: list(o.export) }), 'read');
    io.out(`${n} new link(s) on case ${id}`);
  },
};

export const casesNote: Command = {
  name: 'cases note',
  data: 'existing',
  summary: 'Add a note to a case (notes are appended, never edited)',
  positionals: 'ID TEXT',
  async run(args, io) {
    const [id, text] = one(args, 2, 'a case ID and the note TEXT (quoted)');
    await withContext(io.settings, io.err, (ctx) => noteCase(ctx, id!, text!), 'read');
    io.out(`note added to case ${id}`);
  },
};

export const casesStatus: Command = {
  name: 'cases status',
  data: 'existing',
  summary: `Change a case's status (${CASE_STATUSES.join('|')}); the change is kept with the notes`,
  positionals: 'ID STATUS',
  async run(args, io) {
    const [id, status] = one(args, 2, `a case ID and a STATUS (${CASE_STATUSES.join('|')})`);
    const c = await withContext(io.settings, io.err, (ctx) => setCaseStatus(ctx, id!, status!), 'read');
    io.out(`case ${c.id} is now ${c.status}`);
  },
};

import { withContext } from '../../app/context.ts';
import { importAgencies, importRetention, listAgencies, listRetention, removeAgency, removeRetention, setAgency, setRetention } from '../../app/referral-tables.ts';
import { buildReferrals } from '../../app/referrals-build.ts';
import { jurisdiction, referralsDue, type DueRow } from '../../app/referrals-due.ts';
import { listReferrals } from '../../app/referrals-list.ts';
import { InputError } from '../../domain/errors.ts';
import { parseUtcTime, UTC_TIME_HELP } from '../../domain/utc-time.ts';
import { optionalInt, optionalIp } from '../args.ts';
import type { Command, ParsedArgs } from '../command.ts';
import { banner, csvTable, table } from '../intel-output.ts';
import { csvLine, utc } from '../records-output.ts';

const FORMAT = {
  json: { type: 'boolean', doc: 'JSON output' },
  csv: { type: 'boolean', doc: 'CSV output' },
} as const;

const str = (a: ParsedArgs, k: string) => (typeof a.options[k] === 'string' ? a.options[k] as string : undefined);
const at = (a: ParsedArgs) => { const s = str(a, 'at'); return s === undefined ? undefined : parseUtcTime(s, '--at'); };

function action(args: ParsedArgs, name: string, arity: Record<string, number>): string {
  const a = args.positionals[0];
  if (a === undefined || !(a in arity)) throw new InputError(`counterseed referrals ${name}: expected one of ${Object.keys(arity).join('|')}`);
  if (args.positionals.length !== arity[a]! + 1) throw new InputError(`counterseed referrals ${name} ${a}: expected ${arity[a]} argument(s) after "${a}"`);
  return a;
}

export const referralsAgencies: Command = {
  name: 'referrals agencies',
  data: 'existing',
  summary: 'The receiving agency per country: list | import FILE (CSV country,agency[,contact]; replaces the table, all or nothing) | set CC AGENCY | remove CC',
  positionals: 'list|import FILE|set CC AGENCY|remove CC',
  options: { contact: { type: 'string', arg: 'TEXT', doc: 'With set: how the agency is reached' }, ...FORMAT },
  async run(args, io) {
    const a = action(args, 'agencies', { list: 0, import: 1, set: 2, remove: 1 });
    const p = args.positionals;
    const rows = await withContext(io.settings, io.err, (ctx) => {
      if (a === 'import') return importAgencies(ctx, p[1]!);
      if (a === 'set') { setAgency(ctx, { country: p[1]!, agency: p[2]!, contact: str(args, 'contact') ?? '' }); return listAgencies(ctx); }
      if (a === 'remove') { removeAgency(ctx, p[1]!); return listAgencies(ctx); }
      return listAgencies(ctx);
    }, 'read');
    if (args.options.json) { io.out(JSON.stringify(rows, null, 2)); return; }
    if (args.options.csv) { io.out(csvLine(['country', 'agency', 'contact'])); for (const r of rows) io.out(csvLine([r.country, r.agency, r.contact])); return; }
    if (a !== 'list') io.out(`${a === 'import' ? `imported ${rows.length} row(s)` : 'done'}; the agency table now:`);
    table(['country', 'agency', 'contact', 'updated (UTC)'], rows.map((r) => [r.country, r.agency, r.contact, utc(r.updatedAt)]), io.out, 99);
  },
};

export const referralsRetention: Command = {
  name: 'referrals retention',
  data: 'existing',
  summary: 'How long ISPs keep subscriber records, per country or per ISP (AS number), with the source: list | import FILE (CSV country,asn,days,source) | set CC DAYS --source TEXT [--asn N] | remove CC [--asn N]',
  positionals: 'list|import FILE|set CC DAYS|remove CC',
  options: {
    asn: { type: 'string', arg: 'N', doc: 'With set/remove: the ISP\'s AS number (its rule overrides the country\'s)' },
    source: { type: 'string', arg: 'TEXT', doc: 'With set: where the figure comes from (required)' },
    ...FORMAT,
  },
  async run(args, io) {
    const a = action(args, 'retention', { list: 0, import: 1, set: 2, remove: 1 });
    const p = args.positionals;
    const rows = await withContext(io.settings, io.err, (ctx) => {
      if (a === 'import') return importRetention(ctx, p[1]!);
      if (a === 'set') {
        const source = str(args, 'source');
        if (source === undefined) throw new InputError('referrals retention set: --source TEXT is required (where the figure comes from)');
        setRetention(ctx, { country: p[1]!, days: p[2]!, source, ...(str(args, 'asn') !== undefined ? { asn: str(args, 'asn')! } : {}) });
        return listRetention(ctx);
      }
      if (a === 'remove') { removeRetention(ctx, p[1]!, str(args, 'asn')); return listRetention(ctx); }
      return listRetention(ctx);
    }, 'read');
    if (args.options.json) { io.out(JSON.stringify(rows, null, 2)); return; }
    if (args.options.csv) { io.out(csvLine(['country', 'asn', 'days', 'source'])); for (const r of rows) io.out(csvLine([r.country, r.asn ?? '', r.days, r.source])); return; }
    if (a !== 'list') io.out(`${a === 'import' ? `imported ${rows.length} rule(s)` : 'done'}; the retention table now:`);
    table(['country', 'ISP (AS)', 'days', 'source', 'updated (UTC)'], rows.map((r) => [r.country, r.asn !== undefined ? `AS${r.asn}` : '(every ISP)', r.days, r.source, utc(r.updatedAt)]), io.out, 99);
  },
};

const reasonOf = (r: DueRow) => r.unplaced.join(', ');

export const referralsDueCommand: Command = {
  name: 'referrals due',
  data: 'existing',
  summary: 'Addresses not yet referred whose ISP retention runs out within N days of now (from their last delivery), soonest first; then those with no known deadline, with the reason',
  options: {
    within: { type: 'string', arg: 'DAYS', doc: 'Deadlines from now to now + DAYS (required)' },
    at: { type: 'string', arg: 'TIME', doc: `Read the clock at this time instead of now: ${UTC_TIME_HELP}` },
    agency: { type: 'string', arg: 'NAME', doc: 'Only addresses for this agency' },
    limit: { type: 'string', arg: 'N', doc: 'At most N rows (default 1,000,000)' },
    ...FORMAT,
  },
  async run(args, io) {
    const within = optionalInt(args, 'within', 0, 3650);
    if (within === undefined) throw new InputError('referrals due: --within DAYS is required');
    const now = at(args);
    const limit = optionalInt(args, 'limit', 1, 1_000_000);
    const agency = str(args, 'agency');
    const r = await withContext(io.settings, io.err, (ctx) => referralsDue(ctx, {
      withinDays: within, ...(now !== undefined ? { now } : {}), ...(limit !== undefined ? { limit } : {}), ...(agency !== undefined ? { agency } : {}),
    }), 'read');
    if (args.options.json) { io.out(JSON.stringify({ ...r, purpose: r.synthetic ? 'synthetic' : 'recorded' }, null, 2)); return; }
    const header = ['deadline', 'days left', 'ip', 'last delivery', 'country', 'AS', 'ISP', 'agency', 'retention', 'rule', 'source', 'unknown because'];
    const rows = [...r.dated, ...r.undated].map((x) => [x.deadline !== undefined ? utc(x.deadline) : 'unknown', x.daysLeft ?? '', x.ip, utc(x.lastDelivery), x.country ?? '', x.asn ?? '', x.asOrg ?? '',
      x.agency ?? '', x.retention?.days ?? '', x.retention?.rule ?? '', x.retention?.source ?? '', reasonOf(x)]);
    if (args.options.csv) { csvTable(r.synthetic, header, rows, io.out); return; }
    banner(r.synthetic, io.out);
    io.out(`Referrals due: retention running out between ${utc(r.now)} and ${utc(r.now + r.withinDays * 86_400_000)} (UTC), not yet referred: ${r.dated.length}`);
    io.out(`No known deadline (delivery within the last ${r.horizonDays} days, the longest retention in the table): ${r.undated.length}`);
    io.out('Country and ISP are an IP-geolocation assessment, not a fact; retention periods are the operator\'s table, with its sources.');
    table(header.slice(0, 11), rows.slice(0, r.dated.length).map((x) => x.slice(0, 11)), io.out, 99);
    if (r.undated.length > 0) {
      io.out('');
      io.out('No known deadline:');
      table(['ip', 'last delivery', 'country', 'AS', 'agency', 'unknown because'], r.undated.map((x) => [x.ip, utc(x.lastDelivery), x.country ?? '', x.asn ?? '', x.agency ?? '', reasonOf(x)]), io.out, 99);
    }
    if (r.truncated) io.out(`(stopped at --limit ${limit ?? 1_000_000}: there are more)`);
    banner(r.synthetic, io.out);
  },
};

export const referralsJurisdiction: Command = {
  name: 'referrals jurisdiction',
  data: 'existing',
  summary: 'Each address with deliveries mapped to its country (enrichment) and receiving agency; addresses that cannot be placed are listed with the reason',
  options: {
    from: { type: 'string', arg: 'TIME', doc: `Deliveries from this time (default: all): ${UTC_TIME_HELP}` },
    to: { type: 'string', arg: 'TIME', doc: 'Deliveries before this time (default: now)' },
    ips: { type: 'boolean', doc: 'List every address, not only the counts per agency' },
    ...FORMAT,
  },
  async run(args, io) {
    const from = str(args, 'from') !== undefined ? parseUtcTime(str(args, 'from')!, '--from') : 0;
    const to = str(args, 'to') !== undefined ? parseUtcTime(str(args, 'to')!, '--to') : Date.now();
    const r = await withContext(io.settings, io.err, (ctx) => jurisdiction(ctx, { from, to }), 'read');
    if (args.options.json) { io.out(JSON.stringify(args.options.ips ? r : { ...r, ips: undefined }, null, 2)); return; }
    const rows = r.ips.map((x) => [x.ip, x.country ?? '', x.asn ?? '', x.asOrg ?? '', x.agency ?? '', x.unplaced.filter((u) => u !== 'no retention rule').join(', ')]);
    const header = ['ip', 'country', 'AS', 'ISP', 'agency', 'no agency because'];
    if (args.options.csv) { csvTable(r.synthetic, header, rows, io.out); return; }
    banner(r.synthetic, io.out);
    io.out(`Jurisdiction of addresses with deliveries from ${utc(r.from)} to ${utc(r.to)} (UTC); country is an IP-geolocation assessment`);
    const countries = (c: readonly string[]) => (c.length > 12 ? `${c.slice(0, 12).join(' ')} ... (${c.length} countries)` : c.join(' '));
    table(['agency', 'countries', 'addresses', 'no agency because'], r.groups.map((g) => [g.agency ?? '(none)', countries(g.countries), g.ips,
      Object.entries(g.reasons).map(([k, n]) => `${k}: ${n}`).join('; ')]), io.out, 99);
    const unplaced = r.ips.filter((x) => x.agency === undefined);
    if (args.options.ips) { io.out(''); table(header, rows, io.out, 99); } else if (unplaced.length > 0) {
      io.out('');
      io.out(`Addresses with no agency (${unplaced.length}):`);
      table(header, unplaced.map((x) => [x.ip, x.country ?? '', x.asn ?? '', x.asOrg ?? '', '', x.unplaced.filter((u) => u !== 'no retention rule').join(', ')]), io.out, 99);
    }
    if (r.truncated) io.out('(stopped at 1,000,000 addresses: narrow with --from/--to)');
    banner(r.synthetic, io.out);
  },
};

export const referralsBuild: Command = {
  name: 'referrals build',
  data: 'existing',
  summary: 'One referral package per receiving agency (summary + an evidence package with proofs per address) for the addresses not yet referred; records what was referred, to whom, and the package hash',
  options: {
    out: { type: 'string', arg: 'DIR', doc: 'Output folder (must not exist or be empty): one sub-folder per agency' },
    agency: { type: 'string', arg: 'NAME', doc: 'Only this agency' },
    within: { type: 'string', arg: 'DAYS', doc: 'Only addresses whose retention runs out within DAYS (default: all not yet run out, with a deadline or not)' },
    at: referralsDueCommand.options!.at!,
    'max-ips': { type: 'string', arg: 'N', doc: 'Refuse to refer more than N addresses at once (default 500)' },
  },
  async run(args, io) {
    const out = str(args, 'out');
    if (out === undefined) throw new InputError('referrals build: --out DIR is required');
    const within = optionalInt(args, 'within', 0, 3650);
    const maxIps = optionalInt(args, 'max-ips', 1, 100_000);
    const now = at(args);
    const agency = str(args, 'agency');
    const r = await withContext(io.settings, io.err, (ctx) => buildReferrals(ctx, {
      out, ...(agency !== undefined ? { agency } : {}), ...(within !== undefined ? { withinDays: within } : {}), ...(now !== undefined ? { now } : {}), ...(maxIps !== undefined ? { maxIps } : {}),
    }), 'read');
    if (r.packages.length === 0) { io.out('nothing to refer: no address with an agency is due (see `counterseed referrals due`)'); return; }
    for (const p of r.packages) io.out(`${p.agency}: ${p.ips} address(es), ${p.deliveries} deliveries -> ${p.dir}\n  referral.json sha256 ${p.sha256} (recorded as referral ${p.packageId}); check with: node ${p.dir}/verify.mjs ${p.dir}`);
  },
};

export const referralsList: Command = {
  name: 'referrals list',
  data: 'existing',
  summary: 'Referral packages built (agency, time, package hash), or with --ip the referrals of one address',
  options: { ip: { type: 'string', arg: 'IP', doc: 'The referrals of this address' }, limit: { type: 'string', arg: 'N', doc: 'At most N packages (default 100)' }, ...FORMAT },
  async run(args, io) {
    const ip = optionalIp(args, 'ip');
    const limit = optionalInt(args, 'limit', 1, 1_000_000);
    const r = await withContext(io.settings, io.err, (ctx) => listReferrals(ctx, { ...(ip !== undefined ? { ip } : {}), ...(limit !== undefined ? { limit } : {}) }), 'read');
    if (args.options.json) { io.out(JSON.stringify(r, null, 2)); return; }
    const header = ['id', 'referred (UTC)', 'agency', 'addresses', 'covers deliveries to', 'referral.json sha256', 'path'];
    const rows = r.map((p) => [p.id, utc(p.createdAt), p.agency, p.ips, p.coveredTo !== undefined ? utc(p.coveredTo) : '', p.sha256, p.path]);
    if (args.options.csv) { io.out(csvLine(header)); for (const x of rows) io.out(csvLine(x)); return; }
    table(header, rows, io.out, 99);
  },
};

import { cohorts, type CohortGrouping } from '../../app/cohorts.ts';
import { withContext } from '../../app/context.ts';
import { dossier } from '../../app/dossier.ts';
import { InputError } from '../../domain/errors.ts';
import { optionalInt } from '../args.ts';
import type { Command } from '../command.ts';
import { banner, csvTable, pct, table } from '../intel-output.ts';
import { shownTime, utc } from '../records-output.ts';
import { INTEL_FILTER_OPTIONS, intelFilter } from './stats.ts';

export const dossierCommand: Command = {
  name: 'dossier',
  data: 'existing',
  summary: 'Everything about one IP address (UTC): deliveries, announces, swarm presence, enrichment history, returns after the warning, evidence records',
  positionals: 'IP',
  options: {
    limit: { type: 'string', arg: 'N', doc: 'Rows per section (default 1000)' },
    json: { type: 'boolean', doc: 'JSON output' },
  },
  async run(args, io) {
    const ip = args.positionals[0];
    if (!ip || args.positionals.length > 1) throw new InputError('expected exactly one IP');
    const limit = optionalInt(args, 'limit', 1, 1_000_000);
    const d = await withContext(io.settings, io.err, (ctx) => dossier(ctx, { ip, ...(limit !== undefined ? { limit } : {}) }), 'read');
    if (args.options.json) { io.out(JSON.stringify(d, null, 2)); return; }
    banner(d.synthetic, io.out);
    const at = shownTime(io.settings);
    io.out(`Dossier for ${d.ip} (all times ${at.label})`);
    io.out(`  first seen ${d.firstSeen !== undefined ? at(d.firstSeen) : '-'}, last seen ${d.lastSeen !== undefined ? at(d.lastSeen) : '-'}, first exposure (completed warning) ${d.firstExposure !== undefined ? at(d.firstExposure) : 'none'}`);
    const e = d.enrichment[d.enrichment.length - 1];
    if (e) io.out(`  assessed: ${e.placeable ? [e.country, e.countyName, e.municipalityName && `${e.municipalityName} (${e.municipalityNumber}, ${e.municipalityMethod})`, e.city].filter(Boolean).join(' / ') : `not placeable: ${e.notPlaceable}`}${e.asn !== undefined ? `; AS${e.asn} ${e.asOrg}` : ''}${e.caveats.length ? `; caveats: ${e.caveats.join(', ')}` : ''}`);
    io.out('');
    io.out(`Deliveries (${d.deliveries.length}):`);
    table(['start', 'end', 'port', 'decoy', 'bytes', 'done', 'client', 'listen', 'peer id', 'evidence seq', 'decoy name'],
      d.deliveries.map((x) => [at(x.startedAt), at(x.endedAt), x.remotePort, x.decoyId, x.bytes, x.completed ? 'yes' : x.metadataOnly ? 'meta' : 'no', x.client ?? '?', x.listenPort ?? '', x.peerId.slice(0, 16), x.evidenceSeq ?? 'UNCHAINED', x.decoyName]), io.out, 2);
    io.out('');
    io.out(`Tracker announces (${d.announces.length}):`);
    table(['at', 'decoy', 'port', 'event', 'left', 'evidence seq'], d.announces.map((a) => [at(a.at), a.decoyId ?? '-', a.port, a.event, a.left, a.evidenceSeq ?? 'UNCHAINED']), io.out, 1);
    io.out('');
    io.out(`Swarm presence (DHT) (${d.presence.length}):`);
    table(['at', 'decoy', 'port', 'source', 'evidence seq'], d.presence.map((p) => [at(p.at), p.decoyId ?? '-', p.port, p.source, p.evidenceSeq ?? 'UNCHAINED']), io.out, 1);
    io.out('');
    io.out(`Seen again after the first warning (${d.returnsAfterWarning.length} days):`);
    table(['day', 'days after', 'deliveries', 'announces'], d.returnsAfterWarning.map((r) => [r.day, r.daysAfter, r.deliveries, r.announces]), io.out);
    io.out('');
    io.out('Enrichment history (assessments, not facts):');
    table(['assessed', 'country', 'county', 'municipality', 'how', 'AS', 'caveats', 'databases'], d.enrichment.map((x) => [at(x.enrichedAt),
      x.placeable ? x.country : `not placeable: ${x.notPlaceable}`, x.countyName ?? '', x.municipalityName ? `${x.municipalityName} ${x.municipalityNumber}` : '', x.municipalityMethod ?? '',
      x.asn !== undefined ? `AS${x.asn} ${x.asOrg}` : '', x.caveats.join(','), x.databases.map((s) => s.slice(0, 12)).join(' ')]), io.out, 99);
    if (d.truncated) io.out(`(a section reached --limit ${limit ?? 1000}: there is more)`);
    for (const c of d.caveats) io.out(`Caveat: ${c}`);
    banner(d.synthetic, io.out);
  },
};

const GROUPINGS: readonly CohortGrouping[] = ['none', 'campaign', 'language', 'format'];

export const cohortsCommand: Command = {
  name: 'cohorts',
  data: 'existing',
  summary: 'Deterrence: return rates after 1/7/30/90 days of exposed addresses vs a comparison group, with 95% intervals and caveats',
  options: {
    by: { type: 'string', arg: 'none|campaign|language|format', doc: 'Group by the decoy of first exposure/contact (default none)' },
    weeks: { type: 'boolean', doc: 'Also one line per cohort week' },
    from: INTEL_FILTER_OPTIONS.from, to: INTEL_FILTER_OPTIONS.to, json: INTEL_FILTER_OPTIONS.json, csv: INTEL_FILTER_OPTIONS.csv,
  },
  async run(args, io) {
    const by = (args.options.by ?? 'none') as CohortGrouping;
    if (!GROUPINGS.includes(by)) throw new InputError(`--by: expected ${GROUPINGS.join('|')}, got ${JSON.stringify(by)}`);
    const f = intelFilter(args);
    const r = await withContext(io.settings, io.err, (ctx) => cohorts(ctx, { groupBy: by, ...(f.from !== undefined ? { from: f.from } : {}), ...(f.to !== undefined ? { to: f.to } : {}) }), 'read');
    if (args.options.json) { io.out(JSON.stringify(r, null, 2)); return; }
    const lines = args.options.weeks ? [...r.totals, ...r.weeks] : r.totals;
    const rows = lines.map((l) => [l.cohortWeek, l.group, l.horizonDays, l.exposed.eligible, l.exposed.returned, pct(l.exposed.rate), `${pct(l.exposed.ci95.low)} to ${pct(l.exposed.ci95.high)}`,
      l.comparison.eligible, l.comparison.returned, pct(l.comparison.rate), `${pct(l.comparison.ci95.low)} to ${pct(l.comparison.ci95.high)}`,
      pct(l.difference.value), `${pct(l.difference.ci95.low)} to ${pct(l.difference.ci95.high)}`]);
    const header = ['cohort', 'group', 'days', 'exposed', 'returned', 'rate', '95% CI', 'comparison', 'returned', 'rate', '95% CI', 'difference', '95% CI'];
    if (args.options.csv) { csvTable(r.synthetic, header, rows, io.out); return; }
    banner(r.synthetic, io.out);
    io.out(`Deterrence cohorts (identity: ${r.identity}; data end ${r.dataEnd !== undefined ? utc(r.dataEnd) : '-'}, UTC)`);
    table(header, rows, io.out, 2);
    io.out('');
    for (const d of r.definitions) io.out(`Definition: ${d}`);
    for (const c of r.caveats) io.out(`Caveat: ${c}`);
    banner(r.synthetic, io.out);
  },
};

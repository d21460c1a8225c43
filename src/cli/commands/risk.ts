import { userInfo } from 'node:os';
import { withContext } from '../../app/context.ts';
import { explainRisk, reviewRisk, RISK_FACTORS, scoreRisk, type RiskExplanation } from '../../app/risk.ts';
import { InputError } from '../../domain/errors.ts';
import { optionalInt } from '../args.ts';
import type { Command, CommandIo } from '../command.ts';
import { table } from '../intel-output.ts';
import { csvLine, purposeLines, utc } from '../records-output.ts';

const pts = (x: number) => x.toFixed(2);

export const riskScoreCommand: Command = {
  name: 'risk score',
  data: 'existing',
  summary: 'Score every IP with a delivery from explainable factors (a new run of DRAFT assessments, weights version stored with each); lists the highest',
  settings: ['riskWeights'],
  options: {
    top: { type: 'string', arg: 'N', doc: 'How many of the highest scores to list (default 20)' },
    json: { type: 'boolean', doc: 'JSON output' },
    csv: { type: 'boolean', doc: 'CSV output (a data column first)' },
  },
  async run(args, io) {
    const top = optionalInt(args, 'top', 1, 1_000_000);
    const r = await withContext(io.settings, io.err, (ctx) => scoreRisk(ctx, top !== undefined ? { top } : {}), 'read');
    if (args.options.json) { io.out(JSON.stringify(r, null, 2)); return; }
    const header = ['ip', 'score', 'status', ...RISK_FACTORS];
    const rows = r.top.map((s) => [s.ip, pts(s.score), s.review ? 'reviewed' : 'draft', ...RISK_FACTORS.map((f) => s.values[f])]);
    if (args.options.csv) {
      io.out(csvLine(['data', 'run', 'weights_version', ...header]));
      for (const row of rows) io.out(csvLine([r.purpose, r.run.id, r.run.weightsVersion, ...row]));
      return;
    }
    for (const l of purposeLines(r.purpose)) io.out(l);
    io.out(`Risk run ${r.run.id}: ${r.run.ips} IPs scored in ${r.seconds.toFixed(1)} s (deliveries up to id ${r.run.deliveriesUpTo}, match run ${r.run.matchRunId ?? 'none'})`);
    io.out(`  weights ${r.run.weightsVersion}: ${r.run.weights}`);
    io.out(`  ${r.formula}`);
    table(header, rows, io.out, 1);
    for (const l of r.labels) io.out(l);
    for (const l of purposeLines(r.purpose)) io.out(l);
  },
};

function printExplanation(e: RiskExplanation, io: CommandIo): void {
  for (const l of purposeLines(e.purpose)) io.out(l);
  io.out(`Risk assessment of ${e.ip}: ${e.status.toUpperCase()}${e.score.review ? ` (reviewed by ${e.score.review.reviewedBy} at ${utc(e.score.review.at)}: ${e.score.review.reason})` : ' (not reviewed: no decision may rest on it)'}`);
  io.out(`  run ${e.run.id} of ${utc(e.run.at)}, weights ${e.run.weightsVersion} (${e.run.weights}), deliveries up to id ${e.run.deliveriesUpTo}, match run ${e.run.matchRunId ?? 'none'}`);
  io.out('');
  io.out('FACTS (counted from records):');
  table(['factor', 'kind', 'value', 'records', 'record ids (first)'],
    e.factors.map((f) => [f.factor, f.kind, f.value, `${f.records} ${f.records === 1 ? f.recordKind : f.recordKind === 'delivery' ? 'deliveries' : 'imported records'}`, f.recordIds.slice(0, 12).join(' ') + (f.records > 12 ? ' ...' : '')]), io.out, 2);
  for (const f of e.factors) io.out(`  ${f.factor}: ${f.definition}`);
  if (e.sourceMatches.length > 0) {
    io.out('');
    io.out('Other sources matched (what a partner says, graded; matched by rule):');
    table(['rule', 'source', 'grade', 'line', 'reference', 'port', 'time (UTC)', 'delivery', 'delta ms', 'peer id'],
      e.sourceMatches.map((m) => [m.rule, m.source, m.grade, m.line, m.reference, m.sourcePort ?? '', utc(m.sourceAt), m.otherId, m.deltaMs, m.peerIdContinuity]), io.out, 99);
  }
  io.out('');
  io.out(`ASSESSMENT (${e.formula}):`);
  table(['factor', 'value', 'weight', 'points'], [...e.factors.map((f) => [f.factor, f.value, f.weight, pts(f.points)]), ['score', '', '', pts(e.score.score)]], io.out, 1);
  io.out('');
  for (const l of e.labels) io.out(l);
  for (const l of purposeLines(e.purpose)) io.out(l);
}

export const riskShow: Command = {
  name: 'risk show',
  data: 'existing',
  summary: 'One IP\'s latest risk score with every factor\'s value, weight, points and the records behind it; facts and assessment labelled',
  positionals: 'IP',
  options: {
    records: { type: 'string', arg: 'N', doc: 'Record ids per factor (default 50)' },
    json: { type: 'boolean', doc: 'JSON output' },
  },
  async run(args, io) {
    const ip = args.positionals[0];
    if (!ip || args.positionals.length > 1) throw new InputError('expected exactly one IP');
    const records = optionalInt(args, 'records', 1, 100_000);
    const e = await withContext(io.settings, io.err, (ctx) => explainRisk(ctx, { ip, ...(records !== undefined ? { records } : {}) }), 'read');
    if (args.options.json) { io.out(JSON.stringify(e, null, 2)); return; }
    printExplanation(e, io);
  },
};

export const riskReview: Command = {
  name: 'risk review',
  data: 'existing',
  summary: 'Mark an IP\'s latest risk assessment reviewed by a person, with the reason (until then it is a draft)',
  positionals: 'IP',
  options: {
    reason: { type: 'string', arg: 'TEXT', doc: 'Why the assessment stands (required)' },
    by: { type: 'string', arg: 'NAME', doc: 'Who reviewed it (default: the operating-system user)' },
    json: { type: 'boolean', doc: 'JSON output' },
  },
  async run(args, io) {
    const ip = args.positionals[0];
    if (!ip || args.positionals.length > 1) throw new InputError('expected exactly one IP');
    const reason = args.options.reason;
    if (typeof reason !== 'string') throw new InputError('--reason TEXT is required: a review says why');
    const by = typeof args.options.by === 'string' ? args.options.by : userInfo().username;
    const e = await withContext(io.settings, io.err, (ctx) => reviewRisk(ctx, { ip, reason, reviewedBy: by }), 'read');
    if (args.options.json) { io.out(JSON.stringify(e, null, 2)); return; }
    printExplanation(e, io);
  },
};

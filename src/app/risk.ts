import type { DataPurpose } from '../domain/data-purpose.ts';
import { canonicalWeights, FACTOR_DEFINITIONS, factorPoints, parseWeights, riskScore, riskScoreSql, weightsVersion, type Weights } from '../analysis/risk/factors.ts';
import { InputError, NotFoundError } from '../domain/errors.ts';
import { normalizeIpInput } from '../domain/ip-address.ts';
import type { RiskFactor, RiskRun, RiskScore } from '../store/risk.ts';
export { RISK_FACTORS } from '../store/risk.ts';
import type { SourceMatch } from '../store/sources.ts';
import type { Context } from './context.ts';

const FORMULA = 'score = sum over the factors of weight x log2(1 + value)';
const LABELS = [
  'FACTS: the factor values count recorded deliveries (our evidence records, by id); "other source" values count imported records matched to them, each with its source\'s Admiralty grade.',
  'ASSESSMENT: the weights, the score and the ranking are an assessment made from those facts (EU Law Enforcement Directive 2016/680 Art. 7), not a finding about a person: an IP address can be shared (CGNAT) or reassigned.',
  'DRAFT until a person reviews it (risk review IP --reason ...): no decision is taken by the score alone.',
];

export interface RiskScoreInput { readonly top?: number }
export interface RiskScoreResult {
  readonly run: RiskRun;
  readonly purpose: DataPurpose;
  readonly top: readonly RiskScore[];
  readonly seconds: number;
  readonly formula: string;
  readonly labels: readonly string[];
}

function weightsOf(ctx: Context): Weights { return parseWeights(ctx.settings.riskWeights); }

/** `counterseed risk score` (issue 14 §3): scores every IP with a delivery, as a new run of drafts. */
export function scoreRisk(ctx: Context, input: RiskScoreInput, now = Date.now()): RiskScoreResult {
  const w = weightsOf(ctx);
  const t0 = performance.now();
  const run = ctx.store.risk.scoreAll({ weights: canonicalWeights(w), weightsVersion: weightsVersion(w), at: now, score: (v) => riskScore(w, v), scoreSql: (col, log2) => riskScoreSql(w, col, log2) });
  const seconds = (performance.now() - t0) / 1000;
  return { run, purpose: ctx.purpose, top: ctx.store.risk.top(run.id, input.top ?? 20), seconds, formula: FORMULA, labels: LABELS };
}

export interface FactorLine {
  readonly factor: RiskFactor;
  readonly kind: 'fact' | 'other source';
  readonly definition: string;
  readonly value: number;
  readonly weight: number;
  readonly points: number;
  /** What the ids are: our delivery ids or imported record ids. */
  readonly recordKind: 'delivery' | 'imported record';
  readonly recordIds: readonly number[];
  readonly records: number;
}

export interface RiskExplanation {
  readonly ip: string;
  readonly purpose: DataPurpose;
  readonly run: RiskRun;
  readonly status: 'draft' | 'reviewed';
  readonly score: RiskScore;
  readonly factors: readonly FactorLine[];
  readonly sourceMatches: readonly SourceMatch[];
  readonly formula: string;
  readonly labels: readonly string[];
}

function ipOf(text: string): string {
  const ip = normalizeIpInput(text);
  if (ip === null) throw new InputError(`not an IP address: ${text}`);
  return ip;
}

function latestScored(ctx: Context, ip: string): { run: RiskRun; score: RiskScore } {
  const run = ctx.store.risk.latestRun();
  if (run === undefined) throw new NotFoundError('no risk scores yet: counterseed risk score');
  const score = ctx.store.risk.score(run.id, ip);
  if (score === undefined) throw new NotFoundError(`${ip} has no score in risk run ${run.id} (no delivery to it up to delivery ${run.deliveriesUpTo})`);
  return { run, score };
}

/** `counterseed risk show IP`: the latest score with every factor's value, weight, points and records. */
export function explainRisk(ctx: Context, input: { ip: string; records?: number }): RiskExplanation {
  const ip = ipOf(input.ip);
  const { run, score } = latestScored(ctx, ip);
  // The weights the score was made with (stored in the run), not today's setting.
  const w = parseWeights(run.weights);
  const limit = input.records ?? 50;
  const factors = FACTOR_DEFINITIONS.map((d): FactorLine => {
    const r = ctx.store.risk.factorRecords(run, ip, d.name, limit);
    return {
      factor: d.name, kind: d.kind, definition: d.definition, value: score.values[d.name], weight: w[d.name], points: factorPoints(w[d.name], score.values[d.name]),
      recordKind: d.name === 'sourceMatches' ? 'imported record' : 'delivery', recordIds: r.ids, records: r.total,
    };
  });
  const sourceMatches = run.matchRunId === null ? [] : ctx.store.sources.matches(run.matchRunId, limit, ip).filter((m) => m.otherKind === 'delivery');
  return { ip, purpose: ctx.purpose, run, status: score.review ? 'reviewed' : 'draft', score, factors, sourceMatches, formula: FORMULA, labels: LABELS };
}

/** `counterseed risk review IP --reason R`: a person marks the latest score reviewed; returns the explanation. */
export function reviewRisk(ctx: Context, input: { ip: string; reason: string; reviewedBy: string }, now = Date.now()): RiskExplanation {
  const ip = ipOf(input.ip);
  const reason = input.reason.trim();
  if (reason.length < 3 || reason.length > 2000) throw new InputError('--reason: why the assessment stands (3-2000 characters)');
  const by = input.reviewedBy.trim();
  if (by === '') throw new InputError('--by: who reviewed it');
  const { run } = latestScored(ctx, ip);
  ctx.store.risk.review(run.id, ip, { reviewedBy: by, reason, at: now });
  return explainRisk(ctx, { ip });
}

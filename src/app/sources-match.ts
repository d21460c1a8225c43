import type { DataPurpose } from '../domain/data-purpose.ts';
import { normalizeIpInput } from '../domain/ip-address.ts';
import { InputError, NotFoundError } from '../domain/errors.ts';
import type { MatchRun, SourceImport, SourceMatch } from '../store/sources.ts';
import type { Context } from './context.ts';

export interface SourcesMatchInput {
  /** Seconds; default the sources.matchWindow setting. */
  readonly windowS?: number;
  /** Matches listed (default 1000); the run stores them all. */
  readonly limit?: number;
  /** List only matches of this IP (any spelling). */
  readonly ip?: string;
}

export interface SourcesMatchResult {
  readonly run: MatchRun;
  readonly purpose: DataPurpose;
  readonly imports: readonly SourceImport[];
  readonly matches: readonly SourceMatch[];
  readonly seconds: number;
  /** What a reader must know: the rules, the window, and that a match is an assessment. */
  readonly rules: readonly string[];
}

export const MATCH_RULES: readonly string[] = [
  'An imported record at time t matches one of our deliveries [start, end] of the same IP when start - window <= t <= end + window.',
  'When the imported record gives a port it must equal the connection\'s source port (ip+remote-port+time, RFC 6302) or the peer\'s listen port (ip+listen-port+time); same IP, other port: no match (carrier-grade NAT).',
  'An imported record without a port matches on IP and time alone (ip+time (no port)): CGNAT cannot be ruled out.',
  'Two imports match each other on IP and time (and port when both give one): ip+port+time, or ip+time (no port).',
  'peer-id+time: the same BitTorrent peer id at another IP within the window (peer-id continuity); every IP match also says whether both peer ids are the same, different or unknown.',
  'A match is an assessment made by these rules from records of different reliability; the imported side carries its Admiralty grade.',
];

/** `counterseed sources match` (issue 14 §2): matches every complete import against our deliveries and each other, stores the run. */
export function matchSources(ctx: Context, input: SourcesMatchInput, now = Date.now()): SourcesMatchResult {
  const windowS = input.windowS ?? ctx.settings.sourcesMatchWindowS;
  if (!Number.isInteger(windowS) || windowS < 0 || windowS > 86_400) throw new InputError('--window: whole seconds 0..86400');
  const ip = ipFilter(input.ip);
  const imports = ctx.store.sources.imports();
  if (imports.length === 0) throw new NotFoundError('no imported sources: counterseed sources import FILE --source NAME first');
  const t0 = performance.now();
  const run = ctx.store.sources.match(windowS * 1000, now);
  const seconds = (performance.now() - t0) / 1000;
  return { run, purpose: ctx.purpose, imports, matches: ctx.store.sources.matches(run.id, input.limit ?? 1000, ip), seconds, rules: MATCH_RULES };
}

/** `counterseed sources matches`: the last run's matches, without matching again. */
export function latestMatches(ctx: Context, input: { limit?: number; ip?: string }): SourcesMatchResult {
  const run = ctx.store.sources.latestMatchRun();
  if (run === undefined) throw new NotFoundError('no match run yet: counterseed sources match');
  const ip = ipFilter(input.ip);
  return { run, purpose: ctx.purpose, imports: ctx.store.sources.imports(), matches: ctx.store.sources.matches(run.id, input.limit ?? 1000, ip), seconds: 0, rules: MATCH_RULES };
}

function ipFilter(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const ip = normalizeIpInput(text);
  if (ip === null) throw new InputError(`--ip: not an IP address: ${text}`);
  return ip;
}

export function listImports(ctx: Context): { imports: SourceImport[]; purpose: DataPurpose } {
  return { imports: ctx.store.sources.imports(), purpose: ctx.purpose };
}

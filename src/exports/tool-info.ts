import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { canonicalJson, type CanonicalValue } from '../evidence/canonical-json.ts';
import type { NodeRunRow } from '../store/sqlite/node-runs.ts';

export interface ToolInfo {
  readonly name: 'counterseed';
  readonly version: string;
  readonly runtime: string;
  /** The effective settings of the export command (not of the node that recorded the records: see nodeRuns). */
  readonly config: CanonicalValue;
  /** SHA-256 of canonicalJson(config): lets a reader check which configuration the export was made with. */
  readonly config_sha256: string;
  /** Every start of the node whose log is exported, oldest first (tool.json keeps those its records come from). */
  readonly nodeRuns: readonly NodeRunRow[];
}

/** One run in tool.json: what the node presented while it recorded `records` of the package's records. */
export interface ToolJsonRun {
  readonly started_at: string;
  readonly first_seq: number;
  readonly records: number;
  readonly tool_version: string;
  readonly runtime: string;
  readonly settings: unknown;
  readonly presented: unknown;
}

export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  return typeof pkg.version === 'string' ? pkg.version : 'unknown';
}

export function toolInfo(settings: object, nodeRuns: readonly NodeRunRow[] = []): ToolInfo {
  const config = JSON.parse(JSON.stringify(settings)) as CanonicalValue;
  return {
    name: 'counterseed', version: packageVersion(), runtime: `node ${process.version}`, config,
    config_sha256: createHash('sha256').update(canonicalJson(config), 'utf8').digest('hex'), nodeRuns,
  };
}

/**
 * tool.json for a package of the records `seqs` (ascending): the exporter's own settings (config,
 * hashed into the manifest) marked as such, and the node runs that recorded those records, each
 * with the settings and addresses the node presented then, so the package agrees with its
 * deliveries.csv. A run's row is written once the node listens (its port may be chosen then), so
 * the clock record the node wrote while starting precedes the run's first_seq: it counts with the
 * run before, or, like records from databases older than node-runs-001, in records_before_first_run.
 */
export function toolJson(tool: ToolInfo, seqs: readonly number[]): string {
  const runs = [...tool.nodeRuns].sort((a, b) => a.firstSeq - b.firstSeq);
  const counts = new Array<number>(runs.length).fill(0);
  let before = 0;
  let r = -1;
  for (const seq of seqs) {
    while (r + 1 < runs.length && runs[r + 1]!.firstSeq <= seq) r++;
    if (r < 0) before++;
    else counts[r]!++;
  }
  const used: ToolJsonRun[] = runs.flatMap((run, i) => counts[i] === 0 ? [] : [{
    started_at: new Date(run.startedAt).toISOString(), first_seq: run.firstSeq, records: counts[i]!, tool_version: run.toolVersion, runtime: run.runtime,
    settings: JSON.parse(run.settings) as unknown, presented: JSON.parse(run.presented) as unknown,
  }]);
  const { nodeRuns: _all, ...own } = tool;
  return `${JSON.stringify({
    ...own,
    config_of: 'the export command that wrote this package; the node that recorded the records ran with node_runs[].settings',
    node_runs_note: 'a run holds the records from its first_seq (the log size once the node was listening) to the next run\'s first_seq; '
      + 'the records a node writes as it opens its log (after an unclean stop, the unclean-shutdown and interrupted session records; then its clock record) '
      + 'come just before, so they count with the run before it, or in records_before_first_run, '
      + 'which also counts records from before node runs were kept',
    node_runs: used, records_before_first_run: before,
  }, null, 2)}\n`;
}

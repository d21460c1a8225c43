import { userInfo } from 'node:os';
import { withContext } from '../../app/context.ts';
import { importSources } from '../../app/sources-import.ts';
import { latestMatches, listImports, matchSources, type SourcesMatchResult } from '../../app/sources-match.ts';
import { InputError } from '../../domain/errors.ts';
import { parseUtcTime, UTC_TIME_HELP } from '../../domain/utc-time.ts';
import { optionalInt } from '../args.ts';
import type { Command, CommandIo, ParsedArgs } from '../command.ts';
import { table } from '../intel-output.ts';
import { csvLine, purposeLines, utc } from '../records-output.ts';

const str = (args: ParsedArgs, name: string): string | undefined => {
  const v = args.options[name];
  return typeof v === 'string' ? v : undefined;
};

export const sourcesImport: Command = {
  name: 'sources import',
  data: 'existing',
  summary: 'Import another source\'s list (CSV, JSON or NDJSON: ip, port, timestamp, timezone, action, file_hash/file_name, reference, peer_id), all or nothing, kept apart from our evidence with its provenance and Admiralty grade',
  positionals: 'FILE',
  options: {
    source: { type: 'string', arg: 'NAME', doc: 'Who supplied the file (partner agency, seized server case)' },
    reliability: { type: 'string', arg: 'A-F', doc: 'Admiralty source reliability: A completely reliable .. E unreliable, F cannot be judged' },
    credibility: { type: 'string', arg: '1-6', doc: 'Admiralty information credibility: 1 confirmed .. 5 improbable, 6 cannot be judged' },
    received: { type: 'string', arg: 'TIME', doc: `When the source supplied it (default: now): ${UTC_TIME_HELP}` },
    by: { type: 'string', arg: 'NAME', doc: 'Who imports it (default: the operating-system user)' },
    note: { type: 'string', arg: 'TEXT', doc: 'A note kept with the import (e.g. the request it answers)' },
    format: { type: 'string', arg: 'csv|json|ndjson', doc: 'Default: from the extension (.csv, .json, .ndjson, .jsonl)' },
  },
  async run(args, io) {
    const file = args.positionals[0];
    if (!file || args.positionals.length > 1) throw new InputError('expected exactly one FILE');
    const source = str(args, 'source');
    if (source === undefined) throw new InputError('--source NAME is required: who supplied the file');
    const reliability = str(args, 'reliability');
    const credibility = str(args, 'credibility');
    if (reliability === undefined || credibility === undefined) throw new InputError('--reliability A-F and --credibility 1-6 are required: grade the source and the information (Admiralty code)');
    const received = str(args, 'received');
    const note = str(args, 'note');
    const format = str(args, 'format');
    let lastPct = -1;
    const r = await withContext(io.settings, io.err, (ctx) => importSources(ctx, {
      file, source, reliability, credibility, importedBy: str(args, 'by') ?? userInfo().username, signal: io.signal,
      ...(received !== undefined ? { receivedAt: parseUtcTime(received, '--received') } : {}),
      ...(note !== undefined ? { note } : {}), ...(format !== undefined ? { format } : {}),
      progress: ({ bytes, totalBytes, rows }) => {
        const pct = totalBytes > 0 ? Math.floor((100 * bytes) / totalBytes) : 100;
        if (pct >= lastPct + 10 && totalBytes > 16 << 20) { lastPct = pct; io.err(`sources import: ${pct}% (${rows.toLocaleString('en-US')} rows)`); }
      },
    }), 'read');
    const i = r.import;
    io.out(`Imported ${i.rows} rows from ${i.source} as import ${i.id} (graded ${i.reliability}${i.credibility}), kept apart from our evidence`);
    io.out(`  file ${i.fileName}, ${i.fileBytes} bytes, SHA-256 ${i.fileSha256}; received ${utc(i.receivedAt)}, imported ${utc(i.importedAt)} by ${i.importedBy}`);
    io.out(`  ${r.seconds.toFixed(1)} s, ${Math.round(i.rows / Math.max(r.seconds, 1e-9)).toLocaleString('en-US')} rows/s`);
  },
};

export const sourcesList: Command = {
  name: 'sources list',
  data: 'existing',
  summary: 'The imported sources with their provenance (who, when, file SHA-256, Admiralty grade)',
  options: { json: { type: 'boolean', doc: 'JSON output' } },
  async run(args, io) {
    const r = await withContext(io.settings, io.err, (ctx) => listImports(ctx), 'read');
    if (args.options.json) { io.out(JSON.stringify(r, null, 2)); return; }
    for (const l of purposeLines(r.purpose)) io.out(l);
    table(['import', 'source', 'grade', 'rows', 'received (UTC)', 'imported (UTC)', 'by', 'file', 'sha256'],
      r.imports.map((i) => [i.id, i.source, `${i.reliability}${i.credibility}`, i.rows, utc(i.receivedAt), utc(i.importedAt), i.importedBy, i.fileName, i.fileSha256]), io.out, 99);
  },
};

const MATCH_OPTIONS = {
  ip: { type: 'string', arg: 'IP', doc: 'List only the matches of this IP (the run matches all)' },
  limit: { type: 'string', arg: 'N', doc: 'Matches listed (default 1000)' },
  json: { type: 'boolean', doc: 'JSON output' },
  csv: { type: 'boolean', doc: 'CSV output (a data column first, UTC times)' },
} as const;

const HEADER = ['rule', 'import', 'source', 'grade', 'line', 'reference', 'source ip', 'source port', 'source time (UTC)', 'other', 'other id', 'network/source',
  'other ip', 'other port', 'other start (UTC)', 'other end (UTC)', 'delta ms', 'peer id'];

function printMatches(r: SourcesMatchResult, args: ParsedArgs, io: CommandIo, matched: boolean): void {
  if (args.options.json) { io.out(JSON.stringify(r, null, 2)); return; }
  const rows = r.matches.map((m) => [m.rule, m.importId, m.source, m.grade, m.line, m.reference, m.sourceIp, m.sourcePort ?? '', utc(m.sourceAt), m.otherKind, m.otherId,
    m.otherNetwork, m.otherIp, m.otherPort ?? '', utc(m.otherStart), utc(m.otherEnd), m.deltaMs, m.peerIdContinuity]);
  const windowS = r.run.windowMs / 1000;
  if (args.options.csv) {
    io.out(csvLine(['data', 'run', 'window_s', ...HEADER.map((h) => h.replace(/ \(UTC\)/, '').replace(/[ /]/g, '_'))]));
    for (const row of rows) io.out(csvLine([r.purpose, r.run.id, windowS, ...row]));
    return;
  }
  for (const l of purposeLines(r.purpose)) io.out(l);
  io.out(`Match run ${r.run.id}${matched ? ` (${r.seconds.toFixed(1)} s)` : ''}: window ±${windowS} s, ${r.run.matches} matches, ${r.imports.length} imports, deliveries up to id ${r.run.deliveriesUpTo} (UTC times)`);
  table(HEADER, rows, io.out, 99);
  if (r.matches.length < r.run.matches) io.out(`(${r.matches.length} of ${r.run.matches} listed: --limit, --ip, --json for more)`);
  for (const rule of r.rules) io.out(`Rule: ${rule}`);
  for (const l of purposeLines(r.purpose)) io.out(l);
}

export const sourcesMatch: Command = {
  name: 'sources match',
  data: 'existing',
  summary: 'Cross-match every imported source against our deliveries (all networks) and each other, by IP, port and a time window (--window, stated in the output); stores the run',
  settings: ['sourcesMatchWindowS'],
  options: MATCH_OPTIONS,
  async run(args, io) {
    const limit = optionalInt(args, 'limit', 1, 10_000_000);
    const ip = str(args, 'ip');
    const r = await withContext(io.settings, io.err, (ctx) => matchSources(ctx, { ...(limit !== undefined ? { limit } : {}), ...(ip !== undefined ? { ip } : {}) }), 'read');
    printMatches(r, args, io, true);
  },
};

export const sourcesMatches: Command = {
  name: 'sources matches',
  data: 'existing',
  summary: 'The last match run\'s matches (both records and the rule of each), without matching again',
  options: MATCH_OPTIONS,
  async run(args, io) {
    const limit = optionalInt(args, 'limit', 1, 10_000_000);
    const ip = str(args, 'ip');
    const r = await withContext(io.settings, io.err, (ctx) => latestMatches(ctx, { ...(limit !== undefined ? { limit } : {}), ...(ip !== undefined ? { ip } : {}) }), 'read');
    printMatches(r, args, io, false);
  },
};

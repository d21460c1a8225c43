import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { InputError } from '../domain/errors.ts';
import { CsvError, readCsv } from '../sources/csv-reader.ts';
import { JsonRowError, readJsonArray, readNdjson } from '../sources/json-reader.ts';
import { REQUIRED_FIELDS, RowError, SOURCE_FIELDS, sourceRow, type RawValue, type SourceField, type SourceRow } from '../sources/source-row.ts';
import { CREDIBILITY, RELIABILITY, type Credibility, type Reliability, type SourceFormat, type SourceImport } from '../store/sources.ts';
import type { Context } from './context.ts';
import { InterruptedError } from './errors.ts';

export interface SourcesImportInput {
  readonly file: string;
  /** Who supplied the file. */
  readonly source: string;
  /** Admiralty source reliability A-F and information credibility 1-6, as the analyst grades them. */
  readonly reliability: string;
  readonly credibility: string;
  /** When the source supplied it (UTC ms); default: now. */
  readonly receivedAt?: number;
  readonly importedBy: string;
  readonly note?: string;
  /** Default: from the file name's extension (.csv, .json, .ndjson or .jsonl). */
  readonly format?: string;
  /** Rows per stored slice (default 10,000). */
  readonly batch?: number;
  readonly progress?: (p: { bytes: number; totalBytes: number; rows: number }) => void;
  readonly signal?: AbortSignal;
}

export interface SourcesImportResult {
  readonly import: SourceImport;
  readonly seconds: number;
}

export interface RowProblem { readonly line: number; readonly message: string }

/** The file has invalid rows or structure: nothing was imported. Lists the first problems with their lines. */
export class SourceFileError extends InputError {
  override name = 'SourceFileError';
  readonly problems: readonly RowProblem[];
  readonly total: number;
  constructor(file: string, problems: readonly RowProblem[], total: number) {
    super(`${file}: nothing imported: ${total} problem${total === 1 ? '' : 's'}${total > problems.length ? ` (the first ${problems.length} listed)` : ''}:\n`
      + problems.map((p) => `  line ${p.line}: ${p.message}`).join('\n'));
    this.problems = problems;
    this.total = total;
  }
}

const MAX_LISTED = 20;
const FORMATS: Record<string, SourceFormat> = { '.csv': 'csv', '.json': 'json', '.ndjson': 'ndjson', '.jsonl': 'ndjson' };

function formatOf(file: string, given: string | undefined): SourceFormat {
  if (given !== undefined) {
    if (given !== 'csv' && given !== 'json' && given !== 'ndjson') throw new InputError(`--format: csv, json or ndjson, got ${JSON.stringify(given)}`);
    return given;
  }
  const f = FORMATS[extname(file).toLowerCase()];
  if (f === undefined) throw new InputError(`${file}: say --format csv|json|ndjson (the extension does not tell)`);
  return f;
}

function grade(input: SourcesImportInput): { reliability: Reliability; credibility: Credibility } {
  const r = input.reliability.toUpperCase();
  if (!(RELIABILITY as readonly string[]).includes(r)) throw new InputError(`--reliability: the Admiralty source reliability A (completely reliable) to F (cannot be judged), got ${JSON.stringify(input.reliability)}`);
  const c = Number(input.credibility);
  if (!(CREDIBILITY as readonly number[]).includes(c) || !/^[1-6]$/.test(input.credibility)) throw new InputError(`--credibility: the Admiralty information credibility 1 (confirmed) to 6 (cannot be judged), got ${JSON.stringify(input.credibility)}`);
  return { reliability: r as Reliability, credibility: c as Credibility };
}

const isAlive = (pid: number): boolean => {
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
};

/** Validated rows of the file, one array per chunk read; invalid rows go to `onProblem`. */
async function* rowsOf(format: SourceFormat, chunks: AsyncIterable<Uint8Array>, onProblem: (p: RowProblem) => void): AsyncGenerator<SourceRow[]> {
  const check = (line: number, values: ArrayLike<RawValue>, out: SourceRow[]) => {
    try { out.push(sourceRow(line, values)); } catch (e) {
      if (!(e instanceof RowError)) throw e;
      onProblem({ line, message: e.message });
    }
  };
  if (format === 'csv') {
    // columns[i]: the CSV column of SOURCE_FIELDS[i], -1 when the header lacks it; undefined until the header is read.
    let columns: number[] | undefined;
    let inOrder = false;
    const values: RawValue[] = new Array(SOURCE_FIELDS.length);
    for await (const recs of readCsv(chunks)) {
      const out: SourceRow[] = [];
      for (const rec of recs) {
        if (columns === undefined) { columns = header(rec.fields, rec.line); inOrder = columns.every((c, i) => c === i); continue; }
        const f = rec.fields;
        if (inOrder) { check(rec.line, f, out); continue; }
        for (let i = 0; i < columns.length; i++) values[i] = columns[i]! < 0 ? undefined : f[columns[i]!];
        check(rec.line, values, out);
      }
      yield out;
    }
    if (columns === undefined) throw new CsvError(1, 'the file is empty: a header line is needed');
    return;
  }
  const records = format === 'json' ? readJsonArray(chunks) : readNdjson(chunks);
  for await (const recs of records) {
    const out: SourceRow[] = [];
    for (const rec of recs) {
      const v = rec.value;
      let unknown: string[] | undefined;
      for (const k in v) if (!(FIELD_SET.has(k))) (unknown ??= []).push(k);
      if (unknown !== undefined) { onProblem({ line: rec.line, message: `unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => JSON.stringify(k)).join(', ')} (fields: ${SOURCE_FIELDS.join(', ')})` }); continue; }
      check(rec.line, [v.ip, v.port, v.timestamp, v.timezone, v.action, v.file_hash, v.file_name, v.reference, v.peer_id] as RawValue[], out);
    }
    yield out;
  }
}

const FIELD_SET: ReadonlySet<string> = new Set(SOURCE_FIELDS);

/** The header's column of each field, in SOURCE_FIELDS' order (-1: absent). Refuses unknown, doubled and missing required columns. */
function header(fields: readonly string[], line: number): number[] {
  const index: Partial<Record<SourceField, number>> = {};
  fields.forEach((name, i) => {
    if (!FIELD_SET.has(name)) throw new CsvError(line, `unknown column ${JSON.stringify(name)} in the header (columns: ${SOURCE_FIELDS.join(', ')})`);
    if (index[name as SourceField] !== undefined) throw new CsvError(line, `column ${JSON.stringify(name)} twice in the header`);
    index[name as SourceField] = i;
  });
  const missing = REQUIRED_FIELDS.filter((f) => index[f] === undefined);
  if (missing.length > 0) throw new CsvError(line, `the header lacks ${missing.join(', ')}`);
  if (index.file_hash === undefined && index.file_name === undefined) throw new CsvError(line, 'the header lacks file_hash and file_name: give one or both');
  return SOURCE_FIELDS.map((f) => index[f] ?? -1);
}

/**
 * `counterseed sources import FILE --source NAME` (issue 14 §1): a partner's list into its own tables,
 * all or nothing. Rows are validated and stored in slices of `batch` while the file streams (memory
 * stays bounded for a 1 GB file), in an import marked 'loading' that no query reads; the import is
 * marked complete only when every row was valid, and removed otherwise (also when the process died:
 * the next import removes it). The file's SHA-256 is taken from the same bytes that were parsed.
 */
export async function importSources(ctx: Context, input: SourcesImportInput, now = Date.now()): Promise<SourcesImportResult> {
  const source = input.source.trim();
  if (source === '' || source.length > 200) throw new InputError('--source: who supplied the file (1-200 characters)');
  const g = grade(input);
  const format = formatOf(input.file, input.format);
  const st = statSync(input.file);
  if (!st.isFile()) throw new InputError(`${input.file} is not a file`);
  const batchSize = input.batch ?? 10_000;
  const store = ctx.store.sources;
  store.removeAbandoned(isAlive);

  const hash = createHash('sha256');
  let bytes = 0;
  let rows = 0;
  async function* hashed(): AsyncGenerator<Uint8Array> {
    for await (const chunk of createReadStream(input.file, { highWaterMark: 1 << 20, ...(input.signal ? { signal: input.signal } : {}) }) as AsyncIterable<Buffer>) {
      hash.update(chunk);
      bytes += chunk.length;
      input.progress?.({ bytes, totalBytes: st.size, rows });
      yield chunk;
    }
  }

  const t0 = performance.now();
  const id = store.beginImport({
    source, receivedAt: input.receivedAt ?? now, importedAt: now, importedBy: input.importedBy, fileName: basename(input.file), format,
    ...g, note: input.note ?? '', pid: process.pid,
  });
  const problems: RowProblem[] = [];
  let problemCount = 0;
  try {
    let batch: SourceRow[] = [];
    try {
      for await (const chunkRows of rowsOf(format, hashed(), (p) => { problemCount++; if (problems.length < MAX_LISTED) problems.push(p); })) {
        rows += chunkRows.length;
        if (problemCount > 0) continue; // keep validating, store nothing more
        for (const row of chunkRows) batch.push(row);
        if (batch.length >= batchSize) { store.addRecords(id, batch); batch = []; }
      }
    } catch (e) {
      if (e instanceof CsvError || e instanceof JsonRowError) {
        // The structure is broken: nothing after this point can be read.
        problemCount++;
        problems.push({ line: e.line, message: e.message });
      } else throw e;
    }
    input.signal?.throwIfAborted();
    if (problemCount > 0) throw new SourceFileError(input.file, problems, problemCount);
    if (rows === 0) throw new SourceFileError(input.file, [{ line: 1, message: 'no rows' }], 1);
    if (batch.length > 0) store.addRecords(id, batch);
    const sha256 = hash.digest('hex');
    const earlier = store.findImport(source, sha256);
    if (earlier !== undefined) throw new InputError(`${input.file}: this file (SHA-256 ${sha256}) from ${source} was imported already, as import ${earlier.id} on ${new Date(earlier.importedAt).toISOString()}: nothing imported`);
    const done = store.finishImport(id, sha256, bytes, rows);
    return { import: done, seconds: (performance.now() - t0) / 1000 };
  } catch (e) {
    store.abandonImport(id);
    if (input.signal?.aborted || (e as Error).name === 'AbortError') throw new InterruptedError('sources import stopped: nothing imported');
    throw e;
  }
}

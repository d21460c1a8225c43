import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite';
import type { SourceRow } from '../../../sources/source-row.ts';
import type { Credibility, MatchRun, NewImport, Reliability, SourceFormat, SourceImport, SourceMatch, SourceStore, StoredSourceRecord } from '../../sources.ts';
import { SQLITE_BATCH, withBatchCache, withoutForeignKeyChecks, type BatchCapabilities } from './batch-cache.ts';
import { MatchIndexes, MIN_BULK_RECORDS, SQLITE_MATCH_INDEXES } from './match-indexes.ts';
import { matchSql } from './match-sql.ts';
import { PeerIndex } from './peer-index.ts';

type Row = Record<string, unknown>;
const str = (v: unknown): string => String(v);
const intOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const hex = (v: unknown): string | null => (v instanceof Uint8Array ? Buffer.from(v).toString('hex') : null);

const importRow = (r: Row): SourceImport => ({
  id: Number(r.id), source: str(r.source), receivedAt: Number(r.received_at), importedAt: Number(r.imported_at), importedBy: str(r.imported_by),
  fileName: str(r.file_name), format: str(r.format) as SourceFormat, reliability: str(r.reliability) as Reliability, credibility: Number(r.credibility) as Credibility,
  note: str(r.note), fileSha256: str(r.file_sha256 ?? ''), fileBytes: Number(r.file_bytes ?? 0), rows: Number(r.rows ?? 0),
});

const matchRunRow = (r: Row): MatchRun => ({
  id: Number(r.id), at: Number(r.at), windowMs: Number(r.window_ms), matches: Number(r.matches), deliveriesUpTo: Number(r.deliveries_up_to),
  imports: str(r.imports) === '' ? [] : str(r.imports).split(',').map(Number),
});

const RECORD_COLUMNS = '(import_id, line, ip, port, at, timestamp_text, timezone, action, file_hash, file_name, reference, peer_id)';
const RECORD_VALUES = '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';
/** 16 x 12 = 192 parameters, far below SQLite's limit (32,766). */
const ROWS_PER_INSERT = 16;

function recordValues(importId: number, r: SourceRow, to: SQLInputValue[], at: number): void {
  to[at] = importId; to[at + 1] = r.line; to[at + 2] = r.ip; to[at + 3] = r.port; to[at + 4] = r.at; to[at + 5] = r.timestampText;
  to[at + 6] = r.timezone; to[at + 7] = r.action; to[at + 8] = r.fileHash; to[at + 9] = r.fileName; to[at + 10] = r.reference;
  to[at + 11] = r.peerId === null ? null : Buffer.from(r.peerId, 'hex');
}

/** SourceStore over the SQLite store's connection. Every value is a bound parameter. */
export class SqliteSourceStore implements SourceStore {
  readonly #db: DatabaseSync;
  #insertMany: StatementSync | undefined;
  #insertOne: StatementSync | undefined;
  readonly #peerIndex: PeerIndex;
  readonly #matchIndexCatalogue: string;
  readonly #batch: BatchCapabilities;
  #matchIndexes: MatchIndexes;
  /**
   * `matchIndexCatalogue`: the query listing the match table's secondary indexes (name, sql) on this
   * database; `batch`: what the database has that a match run tunes.
   */
  constructor(db: DatabaseSync, matchIndexCatalogue = SQLITE_MATCH_INDEXES, batch = SQLITE_BATCH) {
    this.#db = db; this.#peerIndex = new PeerIndex(db); this.#batch = batch;
    this.#matchIndexCatalogue = matchIndexCatalogue;
    this.#matchIndexes = new MatchIndexes(db, matchIndexCatalogue);
  }

  /** Imported records from which a match run drops and rebuilds the match table's indexes (tests run small fixtures through that path). */
  bulkMatchFrom(records = MIN_BULK_RECORDS): MatchIndexes {
    this.#matchIndexes = new MatchIndexes(this.#db, this.#matchIndexCatalogue, records);
    return this.#matchIndexes;
  }

  #tx<T>(fn: () => T): T {
    this.#db.exec('BEGIN IMMEDIATE');
    try { const r = fn(); this.#db.exec('COMMIT'); return r; } catch (e) { if (this.#db.isTransaction) this.#db.exec('ROLLBACK'); throw e; }
  }

  removeAbandoned(isAlive: (pid: number) => boolean): number {
    const stale = this.#db.prepare("SELECT id, pid FROM source_imports WHERE status = 'loading'").all().filter((r) => !isAlive(Number(r.pid)));
    for (const r of stale) this.abandonImport(Number(r.id));
    return stale.length;
  }

  findImport(source: string, fileSha256: string): SourceImport | undefined {
    const r = this.#db.prepare("SELECT * FROM source_imports WHERE source = ? AND file_sha256 = ? AND status = 'complete'").get(source, fileSha256);
    return r ? importRow(r as Row) : undefined;
  }

  beginImport(m: NewImport): number {
    const r = this.#db.prepare(`INSERT INTO source_imports (source, received_at, imported_at, imported_by, file_name, format, reliability, credibility, note, status, pid)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'loading', ?) RETURNING id`).get(m.source, m.receivedAt, m.importedAt, m.importedBy, m.fileName, m.format, m.reliability, m.credibility, m.note, m.pid);
    return Number(r!.id);
  }

  /**
   * Slices are committed with synchronous = NORMAL (WAL: no fsync per slice; issue 14's 200,000 rows/s):
   * a slice lost to a power cut belongs to an import still 'loading', which nothing reads and the next
   * import removes. finishImport commits the 'complete' mark with synchronous = FULL, which syncs the
   * WAL and every slice before it. Rows go ROWS_PER_INSERT to a statement: one call into SQLite per
   * row was ~40 % of the storing time (bench/sources-import.bench.ts).
   */
  addRecords(importId: number, rows: readonly SourceRow[]): void {
    this.#db.exec('PRAGMA synchronous = NORMAL');
    this.#insertMany ??= this.#db.prepare(`INSERT INTO source_records ${RECORD_COLUMNS} VALUES ${Array(ROWS_PER_INSERT).fill(RECORD_VALUES).join(', ')}`);
    this.#insertOne ??= this.#db.prepare(`INSERT INTO source_records ${RECORD_COLUMNS} VALUES ${RECORD_VALUES}`);
    const many = this.#insertMany, one = this.#insertOne;
    const args: SQLInputValue[] = new Array(ROWS_PER_INSERT * 12);
    let peerRows = 0;
    for (const r of rows) if (r.peerId !== null) peerRows++;
    this.#tx(() => {
      this.#peerIndex.beforeSlice(importId, peerRows);
      let i = 0;
      for (; i + ROWS_PER_INSERT <= rows.length; i += ROWS_PER_INSERT) {
        for (let k = 0; k < ROWS_PER_INSERT; k++) recordValues(importId, rows[i + k]!, args, k * 12);
        many.run(...args);
      }
      for (; i < rows.length; i++) {
        recordValues(importId, rows[i]!, args, 0);
        one.run(...args.slice(0, 12));
      }
    });
  }

  finishImport(importId: number, fileSha256: string, fileBytes: number, rows: number): SourceImport {
    this.#db.exec('PRAGMA synchronous = FULL');
    this.#tx(() => {
      this.#peerIndex.ensure(importId);
      this.#db.prepare("UPDATE source_imports SET status = 'complete', file_sha256 = ?, file_bytes = ?, rows = ? WHERE id = ?").run(fileSha256, fileBytes, rows, importId);
    });
    return importRow(this.#db.prepare('SELECT * FROM source_imports WHERE id = ?').get(importId) as Row);
  }

  abandonImport(importId: number): void {
    this.#db.exec('PRAGMA synchronous = FULL');
    // In slices, so a running node's evidence writer never waits long for the database.
    const del = this.#db.prepare('DELETE FROM source_records WHERE id IN (SELECT id FROM source_records WHERE import_id = ? LIMIT 50000)');
    while (Number(del.run(importId).changes) > 0) { /* next slice */ }
    this.#tx(() => {
      this.#db.prepare('DELETE FROM source_imports WHERE id = ?').run(importId);
      this.#peerIndex.ensure(importId);
    });
  }

  imports(): SourceImport[] {
    return this.#db.prepare("SELECT * FROM source_imports WHERE status = 'complete' ORDER BY id").all().map((r) => importRow(r as Row));
  }

  records(importId: number, limit: number): StoredSourceRecord[] {
    return this.#db.prepare('SELECT * FROM source_records WHERE import_id = ? ORDER BY line LIMIT ?').all(importId, limit).map((r) => ({
      id: Number(r.id), importId: Number(r.import_id), line: Number(r.line), ip: str(r.ip), port: intOrNull(r.port), at: Number(r.at),
      timestampText: str(r.timestamp_text), timezone: r.timezone === null ? null : str(r.timezone), action: str(r.action),
      fileHash: r.file_hash === null ? null : str(r.file_hash), fileName: r.file_name === null ? null : str(r.file_name), reference: str(r.reference), peerId: hex(r.peer_id),
    }));
  }

  match(windowMs: number, at: number): MatchRun {
    this.#tx(() => this.#peerIndex.ensure());
    const upTo = Number(this.#db.prepare('SELECT COALESCE(MAX(id), 0) AS n FROM deliveries').get()!.n);
    const imports = this.#db.prepare("SELECT id FROM source_imports WHERE status = 'complete' ORDER BY id").all().map((r) => Number(r.id));
    // The longest session bounds how far before a source time a matching delivery can start, so the
    // (remote_ip, started_at) index finds every candidate: an exact bound, not a guess.
    const maxSession = Number(this.#db.prepare('SELECT COALESCE(MAX(ended_at - started_at), 0) AS n FROM deliveries WHERE id <= ?').get(upTo)!.n);
    const anyPeerId = this.#db.prepare('SELECT 1 FROM source_records WHERE peer_id IS NOT NULL LIMIT 1').get() !== undefined;
    const records = Number(this.#db.prepare("SELECT COALESCE(SUM(rows), 0) AS n FROM source_imports WHERE status = 'complete'").get()!.n);
    return withBatchCache(this.#db, this.#batch, () => withoutForeignKeyChecks(this.#db, this.#batch, () => this.#tx(() => {
      const dropped = this.#matchIndexes.dropFor(records);
      const run = Number(this.#db.prepare("INSERT INTO source_match_runs (at, window_ms, deliveries_up_to, imports, matches) VALUES (?, ?, ?, ?, 0) RETURNING id")
        .get(at, windowMs, upTo, imports.join(','))!.id);
      const p = { run, w: windowMs, up: upTo, maxdur: maxSession };
      let n = 0;
      n += Number(this.#db.prepare(matchSql.byIp).run(p).changes);
      if (anyPeerId) n += Number(this.#db.prepare(matchSql.byPeerId).run({ run, w: windowMs, up: upTo }).changes);
      // Two imports are needed for a pair (one import's records are never matched with each other).
      if (imports.length >= 2) n += Number(this.#db.prepare(matchSql.sourceToSource).run({ run, w: windowMs }).changes);
      this.#matchIndexes.rebuild(dropped);
      this.#db.prepare('UPDATE source_match_runs SET matches = ? WHERE id = ?').run(n, run);
      return matchRunRow(this.#db.prepare('SELECT * FROM source_match_runs WHERE id = ?').get(run) as Row);
    })));
  }

  latestMatchRun(): MatchRun | undefined {
    const r = this.#db.prepare('SELECT * FROM source_match_runs ORDER BY id DESC LIMIT 1').get();
    return r ? matchRunRow(r as Row) : undefined;
  }

  matches(runId: number, limit: number, ip?: string): SourceMatch[] {
    const rows = this.#db.prepare(matchSql.list(ip !== undefined)).all(...(ip !== undefined ? [runId, ip, limit] : [runId, limit]));
    return rows.map((r) => ({
      rule: str(r.rule) as SourceMatch['rule'], sourceRecordId: Number(r.source_record_id), importId: Number(r.import_id), source: str(r.source),
      grade: `${str(r.reliability)}${Number(r.credibility)}`, line: Number(r.line), reference: str(r.reference), sourceIp: str(r.s_ip), sourcePort: intOrNull(r.s_port),
      sourceAt: Number(r.s_at), otherKind: str(r.other_kind) as 'delivery' | 'source', otherId: Number(r.other_id), otherNetwork: str(r.o_network),
      otherIp: str(r.o_ip), otherPort: intOrNull(r.o_port), otherStart: Number(r.o_start), otherEnd: Number(r.o_end), deltaMs: Number(r.delta_ms),
      peerIdContinuity: str(r.peer_id_continuity) as SourceMatch['peerIdContinuity'],
    }));
  }
}

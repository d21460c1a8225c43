import type { DatabaseSync, SQLOutputValue, StatementSync } from 'node:sqlite';
import { ErasedRecordError, EvidenceError } from '../../evidence/errors.ts';
import { HASH_LEN, leafHashOfText } from '../../evidence/merkle.ts';
import { MAX_RUN } from './migrations/evidence-003.ts';
import { GENESIS_PREV, type Recordable } from '../../evidence/record.ts';
import { recordKeys } from '../../evidence/key-index.ts';
import { RECORD_CODECS } from './record-tables/registry.ts';
import type { RecordCodec } from './record-tables/record-table.ts';
import { RecordRowWriter, type WrittenRow } from './record-tables/row-writer.ts';
import { EvidenceIndexTable } from './evidence-index.ts';
import type { ChainedRow, EvidenceLogTables, LogFilter, LogLink, LogRow, StoredCheckpoint } from '../evidence-log.ts';

export type { ChainedRow, LogFilter, LogLink, LogRow, StoredCheckpoint };
type Link = LogLink;

import { linkFromRow, linkOf, runFromRow, toBuf, type Run } from './chain-runs.ts';
import { ChainRowChecks } from './chain-row-checks.ts';

/**
 * SQL for the evidence tables (evidence-001..003). Callers own transactions.
 * The log holds runs of links (seq, kind, row id, hash; evidence-003); a record's text is re-derived
 * from its row (record-tables/) and must hash to the link's hash, or reading it throws: a row changed
 * after it was chained is detected here, before anything is exported. Runs must tile the chain;
 * every read that walks them checks that they do.
 */
export class EvidenceLogTable implements EvidenceLogTables {
  readonly #db: DatabaseSync;
  readonly #insertRun: StatementSync;
  readonly #head: StatementSync;
  readonly #hashAt: StatementSync;
  readonly #runAt: StatementSync;
  readonly #runsFrom: StatementSync;
  readonly #rowById = new Map<string, StatementSync>();
  readonly #rowsInRange = new Map<string, StatementSync>();
  readonly #rows: RecordRowWriter;
  readonly #checks: ChainRowChecks;
  #node: string | undefined;
  #legacyText: StatementSync | undefined;
  #tombstone: StatementSync | undefined;
  /** The key index every checkpoint commits to (evidence-004). */
  readonly index: EvidenceIndexTable;

  constructor(db: DatabaseSync) {
    this.#db = db;
    this.index = new EvidenceIndexTable(db);
    this.#insertRun = db.prepare('INSERT INTO evidence_runs (first_seq, kind, first_row_id, count, hashes) VALUES (?, ?, ?, ?, ?)');
    this.#head = db.prepare('SELECT first_seq, count, substr(hashes, 32 * count - 31, 32) AS hash FROM evidence_runs ORDER BY first_seq DESC LIMIT 1');
    this.#hashAt = db.prepare(`SELECT first_seq, count, substr(hashes, 32 * (?1 - first_seq) + 1, 32) AS hash FROM evidence_runs
      WHERE first_seq <= ?1 ORDER BY first_seq DESC LIMIT 1`);
    this.#runAt = db.prepare('SELECT MAX(first_seq) AS s FROM evidence_runs WHERE first_seq <= ?');
    this.#runsFrom = db.prepare('SELECT * FROM evidence_runs WHERE first_seq >= ? AND first_seq < ? ORDER BY first_seq');
    for (const [kind, c] of RECORD_CODECS) {
      const one = db.prepare(c.selectByIdSql);
      one.setReturnArrays(true);
      this.#rowById.set(kind, one);
      const many = db.prepare(`SELECT id, ${c.columns.join(', ')} FROM ${c.spec.table} WHERE id >= ? AND id < ? ORDER BY id`);
      many.setReturnArrays(true);
      this.#rowsInRange.set(kind, many);
    }
    this.#rows = new RecordRowWriter(db);
    this.#checks = new ChainRowChecks(db, { count: () => this.count(), countFrom: (n) => this.countFrom(n), derive: (l) => this.derive(l) });
  }

  /** The fingerprint of the node that writes this log (evidence_meta), once set. */
  node(): string | undefined {
    if (this.#node === undefined) {
      const r = this.#db.prepare("SELECT value FROM evidence_meta WHERE name = 'node'").get();
      this.#node = r ? String(r.value) : undefined;
    }
    return this.#node;
  }

  setNode(fingerprint: string): void {
    this.#db.prepare("INSERT INTO evidence_meta (name, value) VALUES ('node', ?)").run(fingerprint);
    this.#node = fingerprint;
  }

  /** The last link, or undefined for an empty log. */
  head(): { seq: number; hash: Buffer } | undefined {
    const r = this.#head.get();
    return r ? { seq: Number(r.first_seq) + Number(r.count) - 1, hash: toBuf(r.hash) } : undefined;
  }

  /** Writes recordables the log itself produces (clock statements) into their table: RecordRowWriter.writeAll. */
  writeRows(items: readonly Recordable[], after: (rows: readonly WrittenRow[]) => void): WrittenRow[] {
    return this.#rows.writeAll(items, after);
  }

  /**
   * Links records seq, seq + 1, ... to their rows: `hashes` holds 32 bytes per row, in order. Cut
   * into runs of one kind with consecutive row ids, at most MAX_RUN long.
   */
  insertRuns(seq: number, rows: readonly ChainedRow[], hashes: Uint8Array): void {
    if (hashes.length !== HASH_LEN * rows.length) throw new EvidenceError(`${rows.length} rows but ${hashes.length / HASH_LEN} hashes`);
    let start = 0;
    for (let i = 1; i <= rows.length; i++) {
      const a = rows[start]!;
      const b = rows[i];
      if (b && b.kind === a.kind && b.rowId === a.rowId + (i - start) && i - start < MAX_RUN) continue;
      this.#insertRun.run(seq + start, a.kind, a.rowId, i - start, hashes.subarray(HASH_LEN * start, HASH_LEN * i));
      start = i;
    }
  }

  /**
   * Runs overlapping [from, to), in order, checked to tile the chain from the run at or before
   * `from`. A missing or overlapping run throws; the chain may end before `to`.
   */
  *#runs(from: number, to: number): Generator<Run> {
    if (from >= to) return;
    const s = this.#runAt.get(from)?.s;
    const start = s === null || s === undefined ? 0 : Number(s);
    let expected = start;
    for (const r of this.#runsFrom.iterate(start, to)) {
      const run = runFromRow(r);
      if (run.firstSeq !== expected) {
        throw new EvidenceError(run.firstSeq > expected ? `log has gaps: records ${expected}..${run.firstSeq - 1} are missing from the chain`
          : `log is corrupt: the run at record ${run.firstSeq} overlaps the one before it`);
      }
      expected += run.count;
      // The run holding `from` ends before it only when the chain ends there (a later run would be a gap).
      if (expected > from) yield run;
    }
  }

  /** Records with seq >= from, counted along the runs (a gap or an overlap throws). */
  countFrom(from: number): number {
    let n = 0;
    for (const run of this.#runs(from, Number.MAX_SAFE_INTEGER)) n += run.count - Math.max(0, from - run.firstSeq);
    return n;
  }

  count(): number {
    return Number(this.#db.prepare('SELECT COALESCE(SUM(count), 0) AS n FROM evidence_runs').get()!.n);
  }

  /** Leaf hashes for seq in [from, to), in order; every one must be there. */
  *hashes(from: number, to: number): Generator<Buffer> {
    let seq = from;
    for (const run of this.#runs(from, to)) {
      for (let k = seq - run.firstSeq; k < run.count && seq < to; k++, seq++) yield run.hashes.subarray(HASH_LEN * k, HASH_LEN * (k + 1));
    }
    if (seq < to) throw new EvidenceError(`log has gaps: expected records up to ${to - 1}, the chain ends at ${seq - 1}`);
  }

  /** Records in [from, to), in order (fewer if the chain ends first). Each run's rows are read in one query. */
  *range(from: number, to: number): Generator<LogRow> {
    let prev = this.#prevOf(from);
    let seq = from;
    for (const run of this.#runs(from, to)) {
      const k0 = seq - run.firstSeq;
      const k1 = Math.min(run.count, to - run.firstSeq);
      const rows = run.firstRowId === null ? undefined : this.#rowsOf(run, k0, k1);
      for (let k = k0; k < k1; k++, seq++) {
        const link = linkOf(run, k);
        yield this.#derive(link, prev, rows?.get(link.rowId!));
        prev = link.hash.toString('hex');
      }
    }
  }

  /** The rows of run records [k0, k1), by id (a missing one is simply absent). */
  #rowsOf(run: Run, k0: number, k1: number): Map<number, SQLOutputValue[]> | undefined {
    const st = this.#rowsInRange.get(run.kind);
    if (!st) return undefined;
    const out = new Map<number, SQLOutputValue[]>();
    for (const r of st.all(run.firstRowId! + k0, run.firstRowId! + k1) as unknown as SQLOutputValue[][]) out.set(Number(r[0]), r.slice(1));
    return out;
  }

  /** Records matching a filter (found through their tables' ip, decoy and time indexes), in seq order. */
  select(f: LogFilter, limit: number): LogRow[] {
    return this.derive(this.selectLinks(f, limit));
  }

  /**
   * The records of `links` (in seq order), each re-derived from its row and checked against its
   * hash. A link's prev is the hash of the link before it when that is seq - 1, else read from the
   * chain. Large selections are derived in chunks, so that their texts are not all held at once.
   */
  derive(links: readonly LogLink[]): LogRow[] {
    const out: LogRow[] = [];
    let before: LogLink | undefined;
    for (const l of links) {
      out.push(this.#derive(l, before && before.seq === l.seq - 1 ? before.hash.toString('hex') : this.#prevOf(l.seq)));
      before = l;
    }
    return out;
  }

  /** select() without the texts: the links of the records matching a filter, in seq order. */
  selectLinks(f: LogFilter, limit: number): LogLink[] {
    const parts: string[] = [];
    const args: (string | number)[] = [];
    for (const [kind, c] of RECORD_CODECS) {
      if (f.kinds && f.kinds.length > 0 && !f.kinds.includes(kind)) continue;
      const { ipField, decoyField, timeField, table } = c.spec;
      const cond = conditions(f, ipField && c.column(ipField), decoyField && c.column(decoyField), c.column(timeField), 't.');
      if (!cond) continue;
      // A row's run is the one of its kind with the greatest first row id at or below it; rows past its end are not chained.
      parts.push(`SELECT r.first_seq + (t.id - r.first_row_id) AS seq, r.kind AS kind, t.id AS row_id, substr(r.hashes, 32 * (t.id - r.first_row_id) + 1, 32) AS hash
        FROM ${table} t JOIN evidence_runs r ON r.kind = ? AND r.first_row_id = (SELECT MAX(x.first_row_id) FROM evidence_runs x WHERE x.kind = ? AND x.first_row_id <= t.id)
        ${cond.where ? `${cond.where} AND` : 'WHERE'} t.id < r.first_row_id + r.count`);
      args.push(kind, kind, ...cond.args);
    }
    // Records chained before evidence-002 keep their text and filter columns in evidence_legacy.
    const legacy = conditions(f, 'ip', 'decoy_id', 'at', 'g.');
    if (legacy) {
      const kinds = f.kinds && f.kinds.length > 0 ? ` ${legacy.where ? 'AND' : 'WHERE'} g.kind IN (${f.kinds.map(() => '?').join(',')})` : '';
      parts.push(`SELECT r.first_seq AS seq, r.kind AS kind, NULL AS row_id, r.hashes AS hash FROM evidence_legacy g
        JOIN evidence_runs r ON r.first_seq = g.seq AND r.first_row_id IS NULL ${legacy.where}${kinds}`);
      args.push(...legacy.args, ...(f.kinds && f.kinds.length > 0 ? f.kinds : []));
    }
    if (parts.length === 0) return [];
    return this.#db.prepare(`${parts.join(' UNION ALL ')} ORDER BY seq LIMIT ?`).all(...args, limit).map(linkFromRow);
  }

  /** Clock records that were in effect for seq in [fromSeq, toSeq]: the last one at or before fromSeq and every one up to toSeq. */
  clockRecords(fromSeq: number, toSeq: number): LogRow[] {
    return this.derive(this.clockLinks(fromSeq, toSeq));
  }

  /** clockRecords() without the texts. */
  clockLinks(fromSeq: number, toSeq: number): LogLink[] {
    const runs = this.#db.prepare(`SELECT * FROM evidence_runs WHERE kind = 'clock' AND first_seq <= ?
      AND first_seq >= COALESCE((SELECT MAX(first_seq) FROM evidence_runs WHERE kind = 'clock' AND first_seq <= ?), 0) ORDER BY first_seq`)
      .all(toSeq, fromSeq).map(runFromRow);
    const first = runs[0];
    const since = first && first.firstSeq <= fromSeq ? Math.min(first.firstSeq + first.count - 1, fromSeq) : 0;
    const out: LogLink[] = [];
    for (const run of runs) {
      for (let k = 0; k < run.count; k++) {
        const l = linkOf(run, k);
        if (l.seq >= since && l.seq <= toSeq) out.push(l);
      }
    }
    return out;
  }

  /** The links of every record of `kind` below `toSeq`, from the chain's runs (a run's kind is what derives its records). */
  kindLinks(kind: string, toSeq: number): LogLink[] {
    const out: LogLink[] = [];
    for (const r of this.#db.prepare('SELECT * FROM evidence_runs WHERE kind = ? AND first_seq < ? ORDER BY first_seq').iterate(kind, toSeq)) {
      const run = runFromRow(r);
      for (let k = 0; k < run.count && run.firstSeq + k < toSeq; k++) out.push(linkOf(run, k));
    }
    return out;
  }

  #prevOf(seq: number): string {
    if (seq === 0) return GENESIS_PREV;
    const r = this.#hashAt.get(seq - 1);
    if (!r || seq - 1 >= Number(r.first_seq) + Number(r.count)) throw new EvidenceError(`record ${seq - 1} is missing from the chain`);
    return toBuf(r.hash).toString('hex');
  }

  #derive(l: Link, prev: string, row?: SQLOutputValue[]): LogRow {
    let text: string;
    let at: number;
    let keys: string[];
    if (l.rowId === null) {
      const r = (this.#legacyText ??= this.#db.prepare('SELECT record FROM evidence_legacy WHERE seq = ?')).get(l.seq);
      if (!r) throw new EvidenceError(`record ${l.seq}: its stored text is gone`);
      text = String(r.record);
      const rec = JSON.parse(text) as { at: number; obs: Record<string, unknown> };
      at = rec.at;
      keys = recordKeys(rec.obs, this.keyFields(l.kind), at);
    } else {
      const c = RECORD_CODECS.get(l.kind);
      const node = this.node();
      if (!c || !node) throw new EvidenceError(`record ${l.seq}: no table for kind "${l.kind}"`);
      const values = row ?? this.#rowById.get(l.kind)!.get(l.rowId) as unknown as SQLOutputValue[] | undefined;
      if (!values) {
        // An erasure (retention-001) leaves a tombstone: the record reads as erased, not as tampered.
        const t = (this.#tombstone ??= this.#db.prepare('SELECT at, erased_at, erasure FROM evidence_erased WHERE seq = ? AND kind = ? AND row_id = ?')).get(l.seq, l.kind, l.rowId);
        if (t) throw new ErasedRecordError(l.seq, l.kind, Number(t.erased_at), String(t.erasure), Number(t.at));
        throw new EvidenceError(`record ${l.seq}: its ${c.spec.table} row ${l.rowId} is gone`);
      }
      text = c.recordText(values, l.seq, prev, node);
      // From the values the text was written from: once the text matches its link, these are the record's.
      at = values[c.timeIndex] as number;
      keys = keysOfRow(c, values, at);
    }
    if (!leafHashOfText(text).equals(l.hash)) {
      throw new EvidenceError(`record ${l.seq} (${l.kind}${l.rowId === null ? '' : ` row ${l.rowId}`}) no longer matches its chained hash: its row was changed after it was chained`);
    }
    return { seq: l.seq, kind: l.kind, text, hash: l.hash, at, keys };
  }

  /** The record fields a kind's table declares as its ip and decoy (what the key index files it under). */
  keyFields(kind: string): { readonly ipField?: string; readonly decoyField?: string; readonly networkField?: string } {
    const spec = RECORD_CODECS.get(kind)?.spec;
    return spec ? {
      ...(spec.ipField ? { ipField: spec.ipField } : {}), ...(spec.decoyField ? { decoyField: spec.decoyField } : {}), ...(spec.networkField ? { networkField: spec.networkField } : {}),
    } : {};
  }

  /** The links of records `seqs` (ascending), read from the chain's runs; a seq the chain does not hold throws. */
  linksAt(seqs: readonly number[]): LogLink[] {
    const out: LogLink[] = [];
    let run: Run | undefined;
    const at = this.#db.prepare('SELECT * FROM evidence_runs WHERE first_seq <= ? ORDER BY first_seq DESC LIMIT 1');
    for (const seq of seqs) {
      if (!run || seq < run.firstSeq || seq >= run.firstSeq + run.count) {
        const r = at.get(seq);
        run = r ? runFromRow(r) : undefined;
        if (!run || seq >= run.firstSeq + run.count) throw new EvidenceError(`record ${seq} is missing from the chain`);
      }
      out.push(linkOf(run, seq - run.firstSeq));
    }
    return out;
  }

  /** Counts every chained kind's rows against its links up to `size` (chain-row-checks.ts). */
  checkRows(size: number, opts: { rows: boolean } = { rows: true }): void { this.#checks.checkRows(size, opts); }

  rowCounts(): Map<string, number> { return this.#checks.rowCounts(); }

  deliveryRows(q: Parameters<ChainRowChecks['deliveryRows']>[0]): { rowId: number; obs: Record<string, unknown> }[] { return this.#checks.deliveryRows(q); }

  chainStatus(kind: string, rowIds: readonly number[]): Map<number, 'chained' | 'altered' | 'unchained'> { return this.#checks.chainStatus(kind, rowIds); }

  latestCheckpoint(): StoredCheckpoint | undefined {
    const r = this.#db.prepare('SELECT * FROM evidence_checkpoints ORDER BY tree_size DESC, id DESC LIMIT 1').get();
    return r ? checkpointFromRow(r) : undefined;
  }

  /** The newest checkpoint that signs the key index (an audited one: export or manual). */
  latestIndexedCheckpoint(): StoredCheckpoint | undefined {
    const r = this.#db.prepare(`SELECT * FROM evidence_checkpoints WHERE json_extract(body, '$.index') IS NOT NULL ORDER BY tree_size DESC, id DESC LIMIT 1`).get();
    return r ? checkpointFromRow(r) : undefined;
  }

  /** Checkpoint rows over exactly `treeSize` records. */
  checkpointsAt(treeSize: number): StoredCheckpoint[] {
    return this.#db.prepare('SELECT * FROM evidence_checkpoints WHERE tree_size = ? ORDER BY id').all(treeSize).map(checkpointFromRow);
  }

  listCheckpoints(limit: number): StoredCheckpoint[] {
    return this.#db.prepare('SELECT * FROM evidence_checkpoints ORDER BY id DESC LIMIT ?').all(limit).map(checkpointFromRow);
  }

  insertCheckpoint(c: Omit<StoredCheckpoint, 'id'>): number {
    const r = this.#db.prepare('INSERT INTO evidence_checkpoints (tree_size, at, reason, body, signature, frontier) VALUES (?, ?, ?, ?, ?, ?)')
      .run(c.treeSize, c.at, c.reason, c.text, c.signature, c.frontier);
    return Number(r.lastInsertRowid);
  }

  /** Saves a named filter. False (nothing written) when `name` holds another filter and `replace` is not set: a case's filter never changes silently. */
  saveCase(name: string, filter: string, now: number, replace = false): boolean {
    const saved = this.getCase(name);
    if (saved !== undefined && saved !== filter && !replace) return false;
    this.#db.prepare('INSERT INTO evidence_cases (name, filter, created_at) VALUES (?, ?, ?) ON CONFLICT(name) DO UPDATE SET filter = excluded.filter').run(name, filter, now);
    return true;
  }

  getCase(name: string): string | undefined {
    const r = this.#db.prepare('SELECT filter FROM evidence_cases WHERE name = ?').get(name);
    return r ? String(r.filter) : undefined;
  }
}

/** recordKeys() of a row's ip and decoy fields and time, read as its record holds them (without building the whole record). */
function keysOfRow(c: RecordCodec, values: readonly SQLOutputValue[], at: number): string[] {
  const { ipField, decoyField, networkField, fields } = c.spec;
  const obs: Record<string, unknown> = {};
  for (const name of [ipField, decoyField, networkField]) {
    if (name === undefined) continue;
    const i = fields.findIndex((f) => f.name === name);
    obs[name] = fields[i]!.type.read(values[i]);
  }
  return recordKeys(obs, c.spec, at);
}

function checkpointFromRow(r: Record<string, unknown>): StoredCheckpoint {
  return {
    id: Number(r.id), treeSize: Number(r.tree_size), at: Number(r.at), reason: String(r.reason), text: String(r.body),
    signature: toBuf(r.signature), frontier: toBuf(r.frontier),
  };
}

/** WHERE clause for a filter over one table's columns; undefined when the table cannot match (no such column). */
function conditions(f: LogFilter, ip: string | undefined, decoy: string | undefined, time: string, p: string): { where: string; args: (string | number)[] } | undefined {
  const where: string[] = [];
  const args: (string | number)[] = [];
  if (f.ip !== undefined) { if (!ip) return undefined; where.push(`${p}${ip} = ?`); args.push(f.ip); }
  if (f.decoyId !== undefined) { if (!decoy) return undefined; where.push(`${p}${decoy} = ?`); args.push(f.decoyId); }
  if (f.from !== undefined) { where.push(`${p}${time} >= ?`); args.push(f.from); }
  if (f.to !== undefined) { where.push(`${p}${time} < ?`); args.push(f.to); }
  return { where: where.length ? `WHERE ${where.join(' AND ')}` : '', args };
}

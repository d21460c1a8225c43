import type { DatabaseSync, SQLOutputValue, StatementSync } from 'node:sqlite';
import { EvidenceError } from '../../evidence/errors.ts';
import { leafHashOfText } from '../../evidence/merkle.ts';
import { GENESIS_PREV, type Recordable } from '../../evidence/record.ts';
import { RECORD_CODECS } from './record-tables/registry.ts';
import { RecordRowWriter, type WrittenRow } from './record-tables/row-writer.ts';

export interface StoredCheckpoint {
  readonly id: number;
  readonly treeSize: number;
  readonly at: number;
  readonly reason: string;
  readonly text: string;
  readonly signature: Buffer;
  readonly frontier: Buffer;
}

export interface LogRow {
  readonly seq: number;
  readonly kind: string;
  /** The record's canonical text: re-derived from its row, and checked against `hash`. */
  readonly text: string;
  readonly hash: Buffer;
}

export interface LogFilter {
  readonly ip?: string;
  readonly decoyId?: number;
  /** UTC ms, inclusive. */
  readonly from?: number;
  /** UTC ms, exclusive. */
  readonly to?: number;
  /** Only these kinds (default: every kind). */
  readonly kinds?: readonly string[];
}

interface Link { readonly seq: number; readonly kind: string; readonly rowId: number | null; readonly hash: Buffer }

const toBuf = (v: unknown) => Buffer.from(v as Uint8Array);
const linkFromRow = (r: Record<string, SQLOutputValue>): Link => ({
  seq: Number(r.seq), kind: String(r.kind), rowId: r.row_id === null ? null : Number(r.row_id), hash: toBuf(r.hash),
});

/**
 * SQL for the evidence tables (evidence-001, evidence-002). Callers own transactions.
 * The log holds links (seq, kind, row id, hash); a record's text is re-derived from its row
 * (record-tables/) and must hash to the link's hash, or reading it throws: a row changed after it
 * was chained is detected here, before anything is exported.
 */
export class EvidenceLogTable {
  readonly #db: DatabaseSync;
  readonly #insertLink: StatementSync;
  readonly #head: StatementSync;
  readonly #hashAt: StatementSync;
  readonly #rowById = new Map<string, StatementSync>();
  readonly #rows: RecordRowWriter;
  #node: string | undefined;
  #legacyText: StatementSync | undefined;

  constructor(db: DatabaseSync) {
    this.#db = db;
    this.#insertLink = db.prepare('INSERT INTO evidence_links (seq, kind, row_id, hash) VALUES (?, ?, ?, ?)');
    this.#head = db.prepare('SELECT seq, hash FROM evidence_links ORDER BY seq DESC LIMIT 1');
    this.#hashAt = db.prepare('SELECT hash FROM evidence_links WHERE seq = ?');
    for (const [kind, c] of RECORD_CODECS) {
      const st = db.prepare(c.selectByIdSql);
      st.setReturnArrays(true);
      this.#rowById.set(kind, st);
    }
    this.#rows = new RecordRowWriter(db);
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
    return r ? { seq: Number(r.seq), hash: toBuf(r.hash) } : undefined;
  }

  /** Writes a recordable the log itself produces (clock statements) into its table. */
  writeRow(o: Recordable): WrittenRow {
    return this.#rows.write(o);
  }

  insertLink(seq: number, kind: string, rowId: number, hash: Buffer): void {
    this.#insertLink.run(seq, kind, rowId, hash);
  }

  /** Links with seq >= from (a range count on the primary key). */
  countFrom(from: number): number {
    return Number(this.#db.prepare('SELECT COUNT(*) AS n FROM evidence_links WHERE seq >= ?').get(from)!.n);
  }

  count(): number {
    return Number(this.#db.prepare('SELECT COUNT(*) AS n FROM evidence_links').get()!.n);
  }

  /** Leaf hashes for seq in [from, to), in order. */
  *hashes(from: number, to: number): Generator<Buffer> {
    for (const r of this.#db.prepare('SELECT hash FROM evidence_links WHERE seq >= ? AND seq < ? ORDER BY seq').iterate(from, to)) yield toBuf(r.hash);
  }

  /** Records in [from, to), in order. */
  *range(from: number, to: number): Generator<LogRow> {
    let prev = this.#prevOf(from);
    for (const r of this.#db.prepare('SELECT seq, kind, row_id, hash FROM evidence_links WHERE seq >= ? AND seq < ? ORDER BY seq').iterate(from, to)) {
      const link = linkFromRow(r);
      yield this.#derive(link, prev);
      prev = link.hash.toString('hex');
    }
  }

  /** Records matching a filter (found through their tables' ip, decoy and time indexes), in seq order. */
  select(f: LogFilter, limit: number): LogRow[] {
    const parts: string[] = [];
    const args: (string | number)[] = [];
    for (const [kind, c] of RECORD_CODECS) {
      if (f.kinds && f.kinds.length > 0 && !f.kinds.includes(kind)) continue;
      const { ipField, decoyField, timeField, table } = c.spec;
      const cond = conditions(f, ipField && c.column(ipField), decoyField && c.column(decoyField), c.column(timeField), 't.');
      if (!cond) continue;
      parts.push(`SELECT l.seq, l.kind, l.row_id, l.hash FROM ${table} t JOIN evidence_links l ON l.kind = ? AND l.row_id = t.id ${cond.where}`);
      args.push(kind, ...cond.args);
    }
    // Records chained before evidence-002 keep their text and filter columns in evidence_legacy.
    const legacy = conditions(f, 'ip', 'decoy_id', 'at', 'g.');
    if (legacy) {
      const kinds = f.kinds && f.kinds.length > 0 ? ` ${legacy.where ? 'AND' : 'WHERE'} g.kind IN (${f.kinds.map(() => '?').join(',')})` : '';
      parts.push(`SELECT l.seq, l.kind, l.row_id, l.hash FROM evidence_legacy g JOIN evidence_links l ON l.seq = g.seq ${legacy.where}${kinds}`);
      args.push(...legacy.args, ...(f.kinds && f.kinds.length > 0 ? f.kinds : []));
    }
    if (parts.length === 0) return [];
    const links = this.#db.prepare(`${parts.join(' UNION ALL ')} ORDER BY seq LIMIT ?`).all(...args, limit).map(linkFromRow);
    return links.map((l) => this.#derive(l, this.#prevOf(l.seq)));
  }

  /** Clock records that were in effect for seq in [fromSeq, toSeq]: the last one before fromSeq and every one up to toSeq. */
  clockRecords(fromSeq: number, toSeq: number): LogRow[] {
    return this.#db.prepare(`SELECT seq, kind, row_id, hash FROM evidence_links WHERE kind = 'clock' AND seq <= ?
      AND seq >= COALESCE((SELECT MAX(seq) FROM evidence_links WHERE kind = 'clock' AND seq <= ?), 0) ORDER BY seq`)
      .all(toSeq, fromSeq).map((r) => { const l = linkFromRow(r); return this.#derive(l, this.#prevOf(l.seq)); });
  }

  #prevOf(seq: number): string {
    if (seq === 0) return GENESIS_PREV;
    const r = this.#hashAt.get(seq - 1);
    if (!r) throw new EvidenceError(`record ${seq - 1} is missing from the chain`);
    return toBuf(r.hash).toString('hex');
  }

  #derive(l: Link, prev: string): LogRow {
    let text: string;
    if (l.rowId === null) {
      const r = (this.#legacyText ??= this.#db.prepare('SELECT record FROM evidence_legacy WHERE seq = ?')).get(l.seq);
      if (!r) throw new EvidenceError(`record ${l.seq}: its stored text is gone`);
      text = String(r.record);
    } else {
      const c = RECORD_CODECS.get(l.kind);
      const node = this.node();
      if (!c || !node) throw new EvidenceError(`record ${l.seq}: no table for kind "${l.kind}"`);
      const row = this.#rowById.get(l.kind)!.get(l.rowId) as unknown as SQLOutputValue[] | undefined;
      if (!row) throw new EvidenceError(`record ${l.seq}: its ${c.spec.table} row ${l.rowId} is gone`);
      text = c.recordText(row, l.seq, prev, node);
    }
    if (!leafHashOfText(text).equals(l.hash)) {
      throw new EvidenceError(`record ${l.seq} (${l.kind}${l.rowId === null ? '' : ` row ${l.rowId}`}) no longer matches its chained hash: its row was changed after it was chained`);
    }
    return { seq: l.seq, kind: l.kind, text, hash: l.hash };
  }

  latestCheckpoint(): StoredCheckpoint | undefined {
    const r = this.#db.prepare('SELECT * FROM evidence_checkpoints ORDER BY tree_size DESC, id DESC LIMIT 1').get();
    return r ? checkpointFromRow(r) : undefined;
  }

  listCheckpoints(limit: number): StoredCheckpoint[] {
    return this.#db.prepare('SELECT * FROM evidence_checkpoints ORDER BY id DESC LIMIT ?').all(limit).map(checkpointFromRow);
  }

  insertCheckpoint(c: Omit<StoredCheckpoint, 'id'>): number {
    const r = this.#db.prepare('INSERT INTO evidence_checkpoints (tree_size, at, reason, body, signature, frontier) VALUES (?, ?, ?, ?, ?, ?)')
      .run(c.treeSize, c.at, c.reason, c.text, c.signature, c.frontier);
    return Number(r.lastInsertRowid);
  }

  saveCase(name: string, filter: string, now: number): void {
    this.#db.prepare('INSERT INTO evidence_cases (name, filter, created_at) VALUES (?, ?, ?) ON CONFLICT(name) DO UPDATE SET filter = excluded.filter').run(name, filter, now);
  }

  getCase(name: string): string | undefined {
    const r = this.#db.prepare('SELECT filter FROM evidence_cases WHERE name = ?').get(name);
    return r ? String(r.filter) : undefined;
  }
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

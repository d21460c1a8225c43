import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { ChainedRecord } from '../../evidence/record.ts';

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

const toBuf = (v: unknown) => Buffer.from(v as Uint8Array);

/** SQL for the evidence tables (evidence-001). Callers own transactions. */
export class EvidenceLogTable {
  readonly #db: DatabaseSync;
  readonly #insert: StatementSync;
  readonly #head: StatementSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
    this.#insert = db.prepare('INSERT INTO evidence_log (seq, kind, at, ip, decoy_id, record, hash) VALUES (?, ?, ?, ?, ?, ?, ?)');
    this.#head = db.prepare('SELECT seq, hash, record FROM evidence_log ORDER BY seq DESC LIMIT 1');
  }

  /** The last record, or undefined for an empty log. */
  head(): LogRow | undefined {
    const r = this.#head.get();
    return r ? { seq: Number(r.seq), text: String(r.record), hash: toBuf(r.hash) } : undefined;
  }

  insert(r: ChainedRecord): void {
    this.#insert.run(r.seq, r.kind, r.at, r.ip, r.decoyId, r.text, r.hash);
  }

  count(): number {
    return Number(this.#db.prepare('SELECT COUNT(*) AS n FROM evidence_log').get()!.n);
  }

  /** Leaf hashes for seq in [from, to), in order. */
  *hashes(from: number, to: number): Generator<Buffer> {
    for (const r of this.#db.prepare('SELECT hash FROM evidence_log WHERE seq >= ? AND seq < ? ORDER BY seq').iterate(from, to)) yield toBuf(r.hash);
  }

  /** Records in [from, to), in order. */
  *range(from: number, to: number): Generator<LogRow> {
    for (const r of this.#db.prepare('SELECT seq, record, hash FROM evidence_log WHERE seq >= ? AND seq < ? ORDER BY seq').iterate(from, to)) {
      yield { seq: Number(r.seq), text: String(r.record), hash: toBuf(r.hash) };
    }
  }

  /** Records matching a filter (indexed by ip or decoy), in seq order. */
  select(f: LogFilter, limit: number): LogRow[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (f.ip !== undefined) { where.push('ip = ?'); args.push(f.ip); }
    if (f.decoyId !== undefined) { where.push('decoy_id = ?'); args.push(f.decoyId); }
    if (f.from !== undefined) { where.push('at >= ?'); args.push(f.from); }
    if (f.to !== undefined) { where.push('at < ?'); args.push(f.to); }
    if (f.kinds && f.kinds.length > 0) { where.push(`kind IN (${f.kinds.map(() => '?').join(',')})`); args.push(...f.kinds); }
    const sql = `SELECT seq, record, hash FROM evidence_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq LIMIT ?`;
    return this.#db.prepare(sql).all(...args, limit).map((r) => ({ seq: Number(r.seq), text: String(r.record), hash: toBuf(r.hash) }));
  }

  /** Clock records that were in effect for seq in [fromSeq, toSeq]: the last one before fromSeq and every one up to toSeq. */
  clockRecords(fromSeq: number, toSeq: number): LogRow[] {
    return this.#db.prepare(`SELECT seq, record, hash FROM evidence_log WHERE kind = 'clock' AND seq <= ?
      AND seq >= COALESCE((SELECT MAX(seq) FROM evidence_log WHERE kind = 'clock' AND seq <= ?), 0) ORDER BY seq`)
      .all(toSeq, fromSeq).map((r) => ({ seq: Number(r.seq), text: String(r.record), hash: toBuf(r.hash) }));
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

import type { DatabaseSync, SQLOutputValue } from 'node:sqlite';
import { EvidenceError } from '../../evidence/errors.ts';
import type { LogLink, LogRow } from '../evidence-log.ts';
import { linkOf, runFromRow } from './chain-runs.ts';
import { RECORD_CODECS } from './record-tables/registry.ts';

/** What the checks need of the chain's links (EvidenceLogTable). */
export interface ChainView {
  count(): number;
  /** Records with seq >= from; throws naming a gap. */
  countFrom(from: number): number;
  derive(links: readonly LogLink[]): LogRow[];
}

/**
 * The audit's checks of the record tables' rows against the chain (evidence/audit.ts): whether every
 * row a link names is there, how many rows each table holds, and which rows `deliveries` lists are
 * chained. Callers own transactions.
 */
export class ChainRowChecks {
  readonly #db: DatabaseSync;
  readonly #chain: ChainView;

  constructor(db: DatabaseSync, chain: ChainView) {
    this.#db = db;
    this.#chain = chain;
  }

  /**
   * Row-level completeness of every record table: the runs hold `size` records in all, tiling the
   * chain, and (unless `rows` is false) every row a run names is still there, counted per run (a
   * read of every record table's pages, ~0.2 s per 200,000 deliveries on a loaded 2-core machine).
   * Throws naming the record whose row is gone; the search for it runs only when a count is off.
   * Rows no run names (written while the log was detached, or forged) are not part of the chain:
   * exports never read them, and `counterseed deliveries` marks them (chainStatus).
   */
  checkRows(size: number, opts: { rows: boolean } = { rows: true }): void {
    if (this.#chain.count() !== size) {
      this.#chain.countFrom(0); // names the gap
      throw new EvidenceError(`log is corrupt: the chain's head is record ${size - 1} but its runs hold ${this.#chain.count()} records`);
    }
    if (!opts.rows) return;
    // SQLite gives a new row the id of a deleted last row: two runs of a kind then claim that id.
    const reused = this.#db.prepare(`SELECT kind, first_seq, first_row_id, prev_seq, prev_row_id FROM (SELECT kind, first_seq, first_row_id,
      LAG(first_row_id + count) OVER w AS prev_end, LAG(first_seq) OVER w AS prev_seq, LAG(first_row_id) OVER w AS prev_row_id
      FROM evidence_runs WHERE first_row_id IS NOT NULL WINDOW w AS (PARTITION BY kind ORDER BY first_row_id, first_seq)) AS runs WHERE prev_end > first_row_id LIMIT 1`).get();
    if (reused) {
      const id = Number(reused.first_row_id);
      const table = RECORD_CODECS.get(String(reused.kind))?.spec.table ?? String(reused.kind);
      throw new EvidenceError(`record ${Number(reused.prev_seq) + id - Number(reused.prev_row_id)} (${String(reused.kind)}): its ${table} row ${id} is gone: the row was deleted and its id reused by record ${Number(reused.first_seq)}`);
    }
    for (const [kind, c] of RECORD_CODECS) {
      const t = c.spec.table;
      // An erased row (retention-001) counts as there: its tombstone stands for it.
      const inRun = `((SELECT COUNT(*) FROM ${t} WHERE id >= r.first_row_id AND id < r.first_row_id + r.count)
        + (SELECT COUNT(*) FROM evidence_erased e WHERE e.kind = r.kind AND e.row_id >= r.first_row_id AND e.row_id < r.first_row_id + r.count))`;
      const r = this.#db.prepare(`SELECT COALESCE(SUM(r.count), 0) AS want, COALESCE(SUM(${inRun}), 0) AS have FROM evidence_runs r WHERE r.kind = ? AND r.first_row_id IS NOT NULL`).get(kind)!;
      if (Number(r.want) === Number(r.have)) continue;
      for (const run of this.#db.prepare(`SELECT r.first_seq, r.first_row_id, r.count, ${inRun} AS n FROM evidence_runs r WHERE r.kind = ? AND r.first_row_id IS NOT NULL ORDER BY r.first_seq`).iterate(kind)) {
        if (Number(run.n) === Number(run.count)) continue;
        const first = Number(run.first_row_id);
        const have = new Set(this.#db.prepare(`SELECT id FROM ${t} WHERE id >= ?1 AND id < ?2 UNION SELECT row_id FROM evidence_erased WHERE kind = ?3 AND row_id >= ?1 AND row_id < ?2`)
          .all(first, first + Number(run.count), kind).map((x) => Number(x.id)));
        for (let k = 0; k < Number(run.count); k++) {
          if (!have.has(first + k)) throw new EvidenceError(`record ${Number(run.first_seq) + k} (${kind}): its ${t} row ${first + k} is gone`);
        }
      }
    }
  }

  /** The number of rows in each record kind's table (COUNT(*): SQLite counts b-tree pages' cells, not rows one by one). */
  rowCounts(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [kind, c] of RECORD_CODECS) out.set(kind, Number(this.#db.prepare(`SELECT COUNT(*) AS n FROM ${c.spec.table}`).get()!.n));
    return out;
  }

  /** Delivery rows matching a query, with their row ids (for chainStatus), ordered by start. */
  deliveryRows(q: { ip?: string; decoyId?: number; since?: number; to?: number; order?: 'asc' | 'desc'; limit?: number }): { rowId: number; obs: Record<string, unknown> }[] {
    const c = RECORD_CODECS.get('delivery')!;
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (q.ip !== undefined) { where.push('remote_ip = ?'); args.push(q.ip); }
    if (q.decoyId !== undefined) { where.push('decoy_id = ?'); args.push(q.decoyId); }
    if (q.since !== undefined) { where.push('started_at >= ?'); args.push(q.since); }
    if (q.to !== undefined) { where.push('started_at < ?'); args.push(q.to); }
    const order = q.order === 'desc' ? 'started_at DESC, id DESC' : 'started_at, id';
    const st = this.#db.prepare(`SELECT id, ${c.columns.join(', ')} FROM deliveries ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ${order} LIMIT ?`);
    st.setReturnArrays(true);
    return (st.all(...args, q.limit ?? -1) as unknown as SQLOutputValue[][]).map((r) => ({ rowId: Number(r[0]), obs: c.read(r.slice(1)) }));
  }

  /**
   * For rows of one kind's table, whether each is chained and still matches its link:
   * 'chained' (re-derived, hash equal), 'altered' (chained, but the row no longer matches), 'unchained' (no link).
   */
  chainStatus(kind: string, rowIds: readonly number[]): Map<number, 'chained' | 'altered' | 'unchained'> {
    const out = new Map<number, 'chained' | 'altered' | 'unchained'>();
    const runOf = this.#db.prepare('SELECT * FROM evidence_runs WHERE kind = ? AND first_row_id = (SELECT MAX(first_row_id) FROM evidence_runs WHERE kind = ? AND first_row_id <= ?)');
    for (const id of rowIds) {
      const r = runOf.get(kind, kind, id);
      const run = r ? runFromRow(r) : undefined;
      if (!run || run.firstRowId === null || id >= run.firstRowId + run.count) { out.set(id, 'unchained'); continue; }
      const link = linkOf(run, id - run.firstRowId);
      try { this.#chain.derive([link]); out.set(id, 'chained'); } catch { out.set(id, 'altered'); }
    }
    return out;
  }
}

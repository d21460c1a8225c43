import type { DatabaseSync } from 'node:sqlite';
import type { DueCount, ErasedCount, ErasureSelection, ErasureTable, Tombstone } from '../erasure.ts';
import type { IntelDialect } from './intel/intel-dialect.ts';
import { eraseDeliveriesSql, Rollups } from './intel/rollups.ts';
import { RECORD_CODECS } from './record-tables/registry.ts';
import { RiskRollup } from './sources/risk-rollup.ts';
import { placeholders } from './placeholders.ts';

/** The counters row holding how many personal records erasures have removed, every kind together. */
export const ERASED_COUNTER = 'records-erased';

/**
 * Rows per erasure transaction: a few ms of deletes, so a node writing the same database is held up
 * briefly. Also bounded by the parameters of one statement: a batch's tombstones take 6 each (30,000 < 32,766).
 */
const BATCH = 5_000;

/** Tables and columns of the kinds that name a remote address (what erasure can select); fixed by the codecs, never by input. */
function personalTable(kind: string): { table: string; ip: string; time: string } {
  const c = RECORD_CODECS.get(kind);
  if (!c || !c.spec.ipField) throw new RangeError(`record kind ${kind} names no remote address: not erasable`);
  return { table: c.spec.table, ip: c.column(c.spec.ipField), time: c.column(c.spec.timeField) };
}

/**
 * The WHERE clause of a selection and its arguments: only the conditions it needs, so that a plain
 * time cut-off stays a range on the table's time index where it has one. `held`: the rows legal holds keep instead.
 */
function where(t: { ip: string; time: string }, sel: ErasureSelection, held = false): { sql: string; args: (string | number)[] } {
  const sql = [`${t.time} < ?`], args: (string | number)[] = [sel.before];
  if (sel.ip !== undefined) { sql.push(`${t.ip} = ?`); args.push(sel.ip); }
  if (held || sel.exceptIps.length > 0) { sql.push(`${t.ip} ${held ? '' : 'NOT '}IN (${placeholders(sel.exceptIps.length)})`); args.push(...sel.exceptIps); }
  return { sql: sql.join(' AND '), args };
}

/**
 * Erasure: deletes rows, writes tombstones (retention-001; pg-retention-001), keeps the chain's runs
 * (and so every leaf hash) untouched. The row's seq comes from its run, as selectLinks finds it.
 * One copy of the SQL for both stores: the PostgreSQL store runs it over PgDatabase, so it keeps to
 * what both dialects read alike (bound IN lists, not json_each; a named subquery).
 */
export class SqliteErasureTable implements ErasureTable {
  readonly #db: DatabaseSync;
  readonly #tx: <T>(fn: () => T) => T;
  readonly #intel: IntelDialect;

  /** `intel`: the store's date arithmetic for the intelligence rollups (SQLite's or PostgreSQL's). */
  constructor(db: DatabaseSync, transaction: <T>(fn: () => T) => T, intel: IntelDialect) {
    this.#db = db;
    this.#tx = transaction;
    this.#intel = intel;
  }

  due(sel: ErasureSelection): DueCount[] {
    return sel.kinds.map((kind) => {
      const t = personalTable(kind);
      const w = where(t, sel);
      const r = this.#db.prepare(`SELECT count(*) AS n, min(${t.time}) AS oldest FROM ${t.table} WHERE ${w.sql}`).get(...w.args)!;
      const h = where(t, sel, true);
      const held = sel.exceptIps.length === 0 ? 0 : Number(this.#db.prepare(`SELECT count(*) AS n FROM ${t.table} WHERE ${h.sql}`).get(...h.args)!.n);
      return { kind, records: Number(r.n), held, oldest: r.oldest === null ? null : Number(r.oldest) };
    });
  }

  erase(sel: ErasureSelection, ref: { readonly erasure: string; readonly at: number }, batch = BATCH): ErasedCount[] {
    const touched = new Set<string>();
    const out = sel.kinds.map((kind) => {
      const t = personalTable(kind);
      // The run that chains a row: the one of its kind with the greatest first row id at or below it (evidence_runs_row).
      const w = where(t, sel);
      const pick = this.#db.prepare(`SELECT * FROM (SELECT x.id AS id, x.${t.time} AS at, x.${t.ip} AS ip,
        (SELECT r.first_seq + (x.id - r.first_row_id) FROM evidence_runs r WHERE r.kind = ? AND r.first_row_id <= x.id AND x.id < r.first_row_id + r.count
          ORDER BY r.first_row_id DESC LIMIT 1) AS seq
        FROM ${t.table} x WHERE ${w.sql}) picked WHERE seq IS NULL OR seq < ? ORDER BY id LIMIT ?`);
      // Every erased row counted, chained or not: answers cached by data version (campaign deliveries) see the erasure.
      const counted = this.#db.prepare(`INSERT INTO counters (name, value) VALUES ('${ERASED_COUNTER}', ?) ON CONFLICT(name) DO UPDATE SET value = counters.value + excluded.value`);
      let records = 0, unchained = 0, firstSeq: number | null = null, lastSeq: number | null = null;
      // Deliveries are in the intelligence rollups: a batch takes its rows out of the day figures, with the marks held still.
      const rolledUp = t.table === 'deliveries';
      for (let more = true; more;) {
        more = this.#tx(() => {
          if (rolledUp) for (const s of this.#intel.eraseLock) this.#db.exec(s);
          const rows = pick.all(kind, ...w.args, sel.belowSeq ?? Number.MAX_SAFE_INTEGER, batch).map((r) => ({
            id: Number(r.id), at: Number(r.at), ip: String(r.ip), seq: r.seq === null ? null : Number(r.seq),
          }));
          if (rows.length === 0) return false;
          // A row no run names is not part of the chain (written while the log was detached): it simply goes.
          const chained = rows.filter((r): r is typeof r & { seq: number } => r.seq !== null);
          unchained += rows.length - chained.length;
          // One statement per step and batch (a networked store pays one round trip each, not one per row).
          if (chained.length > 0) {
            this.#db.prepare(`INSERT INTO evidence_erased (seq, kind, row_id, at, erased_at, erasure) VALUES ${chained.map(() => '(?, ?, ?, ?, ?, ?)').join(', ')}`)
              .run(...chained.flatMap((r) => [r.seq, kind, r.id, r.at, ref.at, ref.erasure]));
            for (const r of chained) {
              firstSeq = firstSeq === null ? r.seq : Math.min(firstSeq, r.seq);
              lastSeq = lastSeq === null ? r.seq : Math.max(lastSeq, r.seq);
            }
          }
          // By id, within the batch's time span: the time is the partition key of PostgreSQL's observation tables.
          const times = rows.map((r) => r.at);
          if (rolledUp) {
            const [out, empty] = eraseDeliveriesSql(rows.length);
            this.#db.prepare(out).run(...rows.map((r) => r.id));
            this.#db.exec(empty);
          }
          this.#db.prepare(`DELETE FROM ${t.table} WHERE id IN (${placeholders(rows.length)}) AND ${t.time} BETWEEN ? AND ?`)
            .run(...rows.map((r) => r.id), Math.min(...times), Math.max(...times));
          for (const r of rows) touched.add(r.ip);
          records += rows.length;
          counted.run(rows.length);
          return rows.length === batch;
        });
      }
      return { kind, records, unchained, firstSeq, lastSeq };
    });
    this.#forgetAddresses(touched);
    // The risk rollup counts deliveries: recount the addresses that lost some.
    if (touched.size > 0) this.#tx(() => new RiskRollup(this.#db).rebuild(touched));
    return out;
  }

  /**
   * The rollups of the touched addresses follow what is left of their records (rollups.ts
   * dropErased: pairs, counts under places, activity rows); addresses with no record left in any
   * table leave the analysis tables too (enrichment, rollup rows of the address). Set-based, 1,000
   * addresses a transaction: a networked store pays a few round trips per thousand addresses, not
   * several per address (PostgreSQL erased 280 records/s when it forgot per address, and the
   * pairs cost three statements per address until session 8).
   */
  #forgetAddresses(ips: ReadonlySet<string>): void {
    if (ips.size === 0) return;
    const tables = [...RECORD_CODECS.values()].filter((c) => c.spec.ipField).map((c) => ({ table: c.spec.table, ip: c.column(c.spec.ipField!) }));
    const rollups = new Rollups(this.#db, this.#intel);
    const noneLeft = tables.map((t) => `NOT EXISTS (SELECT 1 FROM ${t.table} WHERE ${t.ip} = i.ip)`).join(' AND ');
    const all = [...ips];
    for (let k = 0; k < all.length; k += 1000) {
      const chunk = all.slice(k, k + 1000);
      this.#tx(() => {
        for (const s of this.#intel.eraseLock) this.#db.exec(s);
        this.#db.exec('DELETE FROM intel_stage_ips');
        this.#db.prepare(`INSERT INTO intel_stage_ips (ip_id) SELECT ip_id FROM intel_ips WHERE ip IN (${placeholders(chunk.length)})`).run(...chunk);
        rollups.dropErased();
        this.#db.exec('DELETE FROM intel_stage_ips');
        const ids = this.#db.prepare(`SELECT i.ip_id AS id FROM intel_ips i WHERE i.ip IN (${placeholders(chunk.length)}) AND ${noneLeft}`)
          .all(...chunk).map((r) => Number(r.id));
        if (ids.length === 0) return;
        for (const table of ['intel_ip_geo', 'ip_enrichment', 'intel_ip_bucket', 'intel_ip_activity', 'intel_ips']) {
          this.#db.prepare(`DELETE FROM ${table} WHERE ip_id IN (${placeholders(ids.length)})`).run(...ids);
        }
      });
    }
  }

  tombstone(seq: number): Tombstone | undefined {
    const r = this.#db.prepare('SELECT * FROM evidence_erased WHERE seq = ?').get(seq);
    return r ? { seq: Number(r.seq), kind: String(r.kind), rowId: Number(r.row_id), at: Number(r.at), erasedAt: Number(r.erased_at), erasure: String(r.erasure) } : undefined;
  }

  byErasure(): { erasure: string; records: number; firstSeq: number; lastSeq: number }[] {
    return this.#db.prepare('SELECT erasure, count(*) AS n, min(seq) AS lo, max(seq) AS hi FROM evidence_erased GROUP BY erasure ORDER BY lo').all()
      .map((r) => ({ erasure: String(r.erasure), records: Number(r.n), firstSeq: Number(r.lo), lastSeq: Number(r.hi) }));
  }

  count(): number { return Number(this.#db.prepare('SELECT count(*) AS n FROM evidence_erased').get()!.n); }
}

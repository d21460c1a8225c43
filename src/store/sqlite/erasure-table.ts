import type { DatabaseSync } from 'node:sqlite';
import type { DueCount, ErasedCount, ErasureSelection, ErasureTable, Tombstone } from '../erasure.ts';
import { SQLITE_INTEL } from './intel/intel-dialect.ts';
import { Rollups } from './intel/rollups.ts';
import { RECORD_CODECS } from './record-tables/registry.ts';

/** Rows per erasure transaction: a few ms of deletes, so a node writing the same database is held up briefly. */
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
  if (held || sel.exceptIps.length > 0) { sql.push(`${t.ip} ${held ? '' : 'NOT '}IN (SELECT value FROM json_each(?))`); args.push(JSON.stringify(sel.exceptIps)); }
  return { sql: sql.join(' AND '), args };
}

/**
 * Erasure on SQLite: deletes rows, writes tombstones (retention-001), keeps the chain's runs (and
 * so every leaf hash) untouched. The row's seq comes from its run, as selectLinks finds it.
 */
export class SqliteErasureTable implements ErasureTable {
  readonly #db: DatabaseSync;
  readonly #tx: <T>(fn: () => T) => T;

  constructor(db: DatabaseSync, transaction: <T>(fn: () => T) => T) {
    this.#db = db;
    this.#tx = transaction;
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
        FROM ${t.table} x WHERE ${w.sql}) WHERE seq IS NULL OR seq < ? ORDER BY id LIMIT ?`);
      const tomb = this.#db.prepare('INSERT INTO evidence_erased (seq, kind, row_id, at, erased_at, erasure) VALUES (?, ?, ?, ?, ?, ?)');
      const del = this.#db.prepare(`DELETE FROM ${t.table} WHERE id = ?`);
      let records = 0, unchained = 0, firstSeq: number | null = null, lastSeq: number | null = null;
      for (let more = true; more;) {
        more = this.#tx(() => {
          const rows = pick.all(kind, ...w.args, sel.belowSeq ?? Number.MAX_SAFE_INTEGER, batch);
          for (const r of rows) {
            const seq = r.seq === null ? null : Number(r.seq);
            // A row no run names is not part of the chain (written while the log was detached): it simply goes.
            if (seq === null) unchained++;
            else {
              tomb.run(seq, kind, Number(r.id), Number(r.at), ref.at, ref.erasure);
              firstSeq = firstSeq === null ? seq : Math.min(firstSeq, seq);
              lastSeq = lastSeq === null ? seq : Math.max(lastSeq, seq);
            }
            del.run(Number(r.id));
            touched.add(String(r.ip));
            records++;
          }
          return rows.length === batch;
        });
      }
      return { kind, records, unchained, firstSeq, lastSeq };
    });
    this.#forgetAddresses(touched);
    return out;
  }

  /**
   * The rollups' pairs of the touched addresses follow what is left of their deliveries; addresses
   * with no record left in any table leave the analysis tables too (enrichment, rollup rows of the address).
   */
  #forgetAddresses(ips: ReadonlySet<string>): void {
    if (ips.size === 0 || this.#db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'intel_ips'").get() === undefined) return;
    const tables = [...RECORD_CODECS.values()].filter((c) => c.spec.ipField).map((c) => ({ table: c.spec.table, ip: c.column(c.spec.ipField!) }));
    const anyLeft = this.#db.prepare(tables.map((t) => `SELECT 1 FROM ${t.table} WHERE ${t.ip} = ?1`).join(' UNION ALL ') + ' LIMIT 1');
    const idOf = this.#db.prepare('SELECT ip_id FROM intel_ips WHERE ip = ?');
    const forget = ['DELETE FROM intel_ip_geo WHERE ip_id = ?', 'DELETE FROM ip_enrichment WHERE ip_id = ?', 'DELETE FROM intel_ip_bucket WHERE ip_id = ?',
      'DELETE FROM intel_ip_activity WHERE ip_id = ?', 'DELETE FROM intel_ips WHERE ip_id = ?'].map((q) => this.#db.prepare(q));
    const rollups = new Rollups(this.#db, SQLITE_INTEL);
    this.#tx(() => {
      // Buckets left with no delivery of an address no longer count it (the public map reads these pairs).
      rollups.clearStagedPairs();
      for (const ip of ips) { const id = idOf.get(ip); if (id) rollups.stageErasedPairs(Number(id.ip_id), ip); }
      rollups.dropStagedPairs();
      for (const ip of ips) {
        if (anyLeft.get(ip) !== undefined) continue;
        const id = idOf.get(ip);
        if (id) for (const f of forget) f.run(Number(id.ip_id));
      }
    });
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

import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite';
import { InputError } from '../../../domain/errors.ts';
import type { RecordCodec } from './record-table.ts';
import { RECORD_CODECS } from './registry.ts';

/** A row about to be written: its kind's codec and the values it binds (which read back as themselves). */
export interface PendingRow {
  readonly codec: RecordCodec;
  readonly kind: string;
  readonly values: readonly SQLInputValue[];
}

/** A row just written: where it is, and the values bound. */
export interface WrittenRow extends PendingRow {
  readonly rowId: number;
}

/** The second step of work begun on rows before their inserts (the evidence chain: EvidenceLog.beginAppend). */
export interface AppendCompletion {
  /** After the inserts, inside the transaction: a throw rolls the batch back. */
  written(rows: readonly WrittenRow[]): void;
  /** The inserts failed and the batch rolls back: release what the first step started. */
  cancel(): void;
}

/**
 * Writes recordables into their kinds' tables (the caller owns the transaction), in two steps so
 * that work on the values (the evidence chain) can start before the inserts: prepare() converts and
 * checks a recordable's values, insert() writes them.
 */
export class RecordRowWriter {
  readonly #db: DatabaseSync;
  readonly #insert = new Map<string, { codec: RecordCodec; stmt: StatementSync }>();

  constructor(db: DatabaseSync) { this.#db = db; }

  prepare(o: { readonly kind: string }): PendingRow {
    const w = this.#writerOf(o.kind);
    return { codec: w.codec, kind: o.kind, values: w.codec.toRow(o) };
  }

  /** A kind's insert statement is prepared on first use: a database at an older schema (a migration test) lacks later kinds' tables. */
  #writerOf(kind: string): { codec: RecordCodec; stmt: StatementSync } {
    let w = this.#insert.get(kind);
    if (w) return w;
    const codec = RECORD_CODECS.get(kind);
    if (!codec) throw new InputError(`no table records kind "${kind}"`);
    w = { codec, stmt: this.#db.prepare(codec.insertSql) };
    this.#insert.set(kind, w);
    return w;
  }

  insert(p: PendingRow): WrittenRow {
    const w = this.#insert.get(p.kind)!;
    return { ...p, rowId: Number(w.stmt.run(...p.values).lastInsertRowid) };
  }

  write(o: { readonly kind: string }): WrittenRow {
    return this.insert(this.prepare(o));
  }

  /**
   * Writes `items` in order (the caller owns the transaction): `begin` sees the rows before their
   * inserts and starts what may overlap them, and each completion it returns gets the written rows
   * after them. A failed insert or completion cancels the completions not yet run, then throws.
   */
  writeAll(items: readonly { readonly kind: string }[], begin: (pending: readonly PendingRow[]) => readonly (AppendCompletion | undefined)[]): WrittenRow[] {
    const pending = items.map((o) => this.prepare(o));
    const completions = begin(pending);
    let rows: WrittenRow[];
    try {
      rows = pending.map((p) => this.insert(p));
    } catch (e) {
      for (const c of completions) c?.cancel();
      throw e;
    }
    for (let i = 0; i < completions.length; i++) {
      try {
        completions[i]?.written(rows);
      } catch (e) {
        for (const c of completions.slice(i + 1)) c?.cancel();
        throw e;
      }
    }
    return rows;
  }
}

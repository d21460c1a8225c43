import type { DatabaseSync } from 'node:sqlite';
import type { CaseEntry, CaseLink, CaseLinkKind, CaseRegister, CaseRow, CaseSummary } from '../../cases.ts';

/** CaseRegister over the SQLite store's connection (tables: migrations/referrals-001.ts). */
export class SqliteCases implements CaseRegister {
  readonly #db: DatabaseSync;
  constructor(db: DatabaseSync) { this.#db = db; }

  #tx<T>(fn: () => T): T {
    this.#db.exec('BEGIN IMMEDIATE');
    try { const r = fn(); this.#db.exec('COMMIT'); return r; } catch (e) { if (this.#db.isTransaction) this.#db.exec('ROLLBACK'); throw e; }
  }

  create(c: CaseRow): boolean {
    return Number(this.#db.prepare('INSERT INTO case_register (id, title, status, created_at) VALUES (?, ?, ?, ?) ON CONFLICT(id) DO NOTHING')
      .run(c.id, c.title, c.status, c.createdAt).changes) > 0;
  }

  get(id: string): CaseRow | undefined {
    const r = this.#db.prepare('SELECT * FROM case_register WHERE id = ?').get(id);
    return r ? { id: String(r.id), title: String(r.title), status: String(r.status), createdAt: Number(r.created_at) } : undefined;
  }

  list(limit: number, status?: string): CaseSummary[] {
    // Positional parameters and no multi-argument MAX(): the same SQL runs on PostgreSQL (store/postgres/dialect.ts).
    const sql = `SELECT c.*,
        (SELECT COUNT(*) FROM case_link l WHERE l.case_id = c.id) AS links,
        (SELECT COUNT(*) FROM case_entry e WHERE e.case_id = c.id AND e.kind = 'note') AS notes,
        (SELECT MAX(at) FROM case_entry e WHERE e.case_id = c.id) AS last_entry,
        (SELECT MAX(added_at) FROM case_link l WHERE l.case_id = c.id) AS last_link
      FROM case_register c ${status !== undefined ? 'WHERE c.status = ?' : ''} ORDER BY c.created_at DESC, c.id LIMIT ?`;
    const rows = status !== undefined ? this.#db.prepare(sql).all(status, limit) : this.#db.prepare(sql).all(limit);
    return rows.map((r) => ({
      id: String(r.id), title: String(r.title), status: String(r.status), createdAt: Number(r.created_at),
      links: Number(r.links), notes: Number(r.notes), updatedAt: Math.max(Number(r.created_at), Number(r.last_entry ?? 0), Number(r.last_link ?? 0)),
    }));
  }

  link(id: string, links: readonly { kind: CaseLinkKind; ref: string }[], at: number): number {
    return this.#tx(() => {
      const st = this.#db.prepare('INSERT INTO case_link (case_id, kind, ref, added_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING');
      let added = 0;
      for (const l of links) added += Number(st.run(id, l.kind, l.ref, at).changes);
      return added;
    });
  }

  links(id: string): CaseLink[] {
    return this.#db.prepare('SELECT kind, ref, added_at FROM case_link WHERE case_id = ? ORDER BY kind, added_at, ref').all(id).map((r) => ({
      kind: String(r.kind) as CaseLinkKind, ref: String(r.ref), addedAt: Number(r.added_at),
    }));
  }

  note(id: string, text: string, at: number): void {
    this.#db.prepare("INSERT INTO case_entry (case_id, at, kind, text) VALUES (?, ?, 'note', ?)").run(id, at, text);
  }

  setStatus(id: string, status: string, at: number): void {
    this.#tx(() => {
      this.#db.prepare('UPDATE case_register SET status = ? WHERE id = ?').run(status, id);
      this.#db.prepare("INSERT INTO case_entry (case_id, at, kind, text) VALUES (?, ?, 'status', ?)").run(id, at, status);
    });
  }

  entries(id: string): CaseEntry[] {
    return this.#db.prepare('SELECT at, kind, text FROM case_entry WHERE case_id = ? ORDER BY id').all(id).map((r) => ({
      at: Number(r.at), kind: String(r.kind) as 'note' | 'status', text: String(r.text),
    }));
  }
}

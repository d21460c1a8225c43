import type { DatabaseSync } from 'node:sqlite';
import type {
  AccessEntry, AccessLogTable, Account, AccountCatalog, AccountPatch, ApprovalCatalog, ApprovalRequest,
  GovernanceStore, LegalHold, LegalHoldCatalog, RequestStatus, Role, SessionCatalog, SessionRow,
} from '../governance.ts';
import { placeholders } from './placeholders.ts';

type Row = Record<string, unknown>;
const str = (v: unknown): string => String(v);
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

const account = (r: Row): Account => ({
  id: Number(r.id), username: str(r.username), role: str(r.role) as Role, passwordHash: str(r.password_hash),
  totpSecret: r.totp_secret === null ? null : str(r.totp_secret), totpLastStep: numOrNull(r.totp_last_step), disabled: Number(r.disabled) === 1,
  failedLogins: Number(r.failed_logins), lockedUntil: numOrNull(r.locked_until), createdAt: Number(r.created_at),
});
const entry = (r: Row): AccessEntry => ({
  seq: Number(r.seq), at: Number(r.at), user: str(r.user), action: str(r.action), what: str(r.what),
  purpose: str(r.purpose), prevHash: str(r.prev_hash), hash: str(r.hash),
});
const request = (r: Row): ApprovalRequest => ({
  id: Number(r.id), kind: str(r.kind), requestedBy: Number(r.requested_by), requestedAt: Number(r.requested_at),
  params: str(r.params), purpose: str(r.purpose), status: str(r.status) as RequestStatus,
  decidedBy: numOrNull(r.decided_by), decidedAt: numOrNull(r.decided_at), result: r.result === null ? null : str(r.result),
});
const hold = (r: Row): LegalHold => ({
  id: Number(r.id), ip: str(r.ip), caseRef: str(r.case_ref), placedBy: str(r.placed_by), placedAt: Number(r.placed_at),
  releasedBy: r.released_by === null ? null : str(r.released_by), releasedAt: numOrNull(r.released_at),
});

const PATCH_COLUMNS: Record<keyof AccountPatch, string> = {
  passwordHash: 'password_hash', totpSecret: 'totp_secret', totpLastStep: 'totp_last_step', disabled: 'disabled', failedLogins: 'failed_logins', lockedUntil: 'locked_until', role: 'role',
};

export interface GovernanceTablesOptions {
  /** Runs `fn` in one transaction that serialises writers (SQLite: BEGIN IMMEDIATE; PostgreSQL: BEGIN). */
  readonly transaction: <T>(fn: () => T) => T;
  /**
   * A statement run first inside the access log's append transaction so that two writers cannot both
   * read the same last entry and fork the chain. SQLite's BEGIN IMMEDIATE already holds the write lock;
   * PostgreSQL needs a table lock (read committed lets two transactions read the same last row).
   */
  readonly lockAccessLog?: string;
}

/**
 * The governance tables' SQL (web-001 and retention-001's holds), written once for both stores: the
 * SQLite store runs it on node:sqlite, the PostgreSQL store on PgDatabase (postgres/pg-database.ts,
 * which only renumbers parameters and adds LIMIT's NULLIF). So it keeps to what both dialects read
 * alike: no json_each, no `?N` reuse, `"user"` quoted (a reserved word in PostgreSQL). Every query is
 * a prepared statement with bound parameters: no SQL is built from input.
 */
export class GovernanceTables implements Omit<GovernanceStore, 'close'> {
  readonly #db: DatabaseSync;
  readonly #opts: GovernanceTablesOptions;

  constructor(db: DatabaseSync, opts: GovernanceTablesOptions) {
    this.#db = db;
    this.#opts = opts;
  }

  readonly accounts: AccountCatalog = {
    add: (a) => account(this.#db.prepare('INSERT INTO web_accounts (username, role, password_hash, totp_secret, created_at) VALUES (?, ?, ?, ?, ?) RETURNING *')
      .get(a.username, a.role, a.passwordHash, a.totpSecret, a.createdAt) as Row),
    byName: (u) => { const r = this.#db.prepare('SELECT * FROM web_accounts WHERE username = ?').get(u); return r ? account(r as Row) : undefined; },
    byId: (id) => { const r = this.#db.prepare('SELECT * FROM web_accounts WHERE id = ?').get(id); return r ? account(r as Row) : undefined; },
    list: () => this.#db.prepare('SELECT * FROM web_accounts ORDER BY id').all().map((r) => account(r as Row)),
    update: (id, patch) => {
      for (const [k, v] of Object.entries(patch) as [keyof AccountPatch, unknown][]) {
        const value = typeof v === 'boolean' ? (v ? 1 : 0) : (v as string | number | null);
        // Column names come from the fixed PATCH_COLUMNS table, never from input.
        this.#db.prepare(`UPDATE web_accounts SET ${PATCH_COLUMNS[k]} = ? WHERE id = ?`).run(value, id);
      }
    },
    // The right-hand sides read the row as it was before this UPDATE (both dialects).
    countAttempt: (id, now, maxFailed, lockUntil) => Number(this.#db.prepare(
      'UPDATE web_accounts SET failed_logins = failed_logins + 1, locked_until = CASE WHEN failed_logins + 1 >= ? THEN ? ELSE locked_until END WHERE id = ? AND (locked_until IS NULL OR locked_until <= ?)',
    ).run(maxFailed, lockUntil, id, now).changes) === 1,
    // One statement: on PostgreSQL a second UPDATE of the row waits for the first's commit and re-checks
    // the WHERE on the row as the first left it; SQLite runs one writer at a time.
    useTotpStep: (id, step) => Number(this.#db.prepare(
      'UPDATE web_accounts SET totp_last_step = ? WHERE id = ? AND (totp_last_step IS NULL OR totp_last_step < ?)',
    ).run(step, id, step).changes) === 1,
  };

  readonly sessions: SessionCatalog = {
    add: (s: SessionRow) => { this.#db.prepare('INSERT INTO web_sessions (token_hash, account_id, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)').run(s.tokenHash, s.accountId, s.csrfToken, s.createdAt, s.expiresAt); },
    get: (h) => {
      const r = this.#db.prepare('SELECT * FROM web_sessions WHERE token_hash = ?').get(h) as Row | undefined;
      return r ? { tokenHash: str(r.token_hash), accountId: Number(r.account_id), csrfToken: str(r.csrf_token), createdAt: Number(r.created_at), expiresAt: Number(r.expires_at) } : undefined;
    },
    delete: (h) => { this.#db.prepare('DELETE FROM web_sessions WHERE token_hash = ?').run(h); },
    deleteForAccount: (id) => { this.#db.prepare('DELETE FROM web_sessions WHERE account_id = ?').run(id); },
    purgeExpired: (now) => Number(this.#db.prepare('DELETE FROM web_sessions WHERE expires_at <= ?').run(now).changes),
  };

  readonly accessLog: AccessLogTable = {
    append: (build) => this.#opts.transaction(() => {
      if (this.#opts.lockAccessLog) this.#db.exec(this.#opts.lockAccessLog);
      const last = this.#db.prepare('SELECT * FROM web_access_log ORDER BY seq DESC LIMIT 1').get() as Row | undefined;
      const e = build(last ? entry(last) : undefined);
      const r = this.#db.prepare('INSERT INTO web_access_log (at, "user", action, what, purpose, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING *')
        .get(e.at, e.user, e.action, e.what, e.purpose, e.prevHash, e.hash);
      return entry(r as Row);
    }),
    page: (after, limit) => this.#db.prepare('SELECT * FROM web_access_log WHERE seq > ? ORDER BY seq LIMIT ?').all(after, limit).map((r) => entry(r as Row)),
    count: () => Number((this.#db.prepare('SELECT count(*) AS n FROM web_access_log').get() as Row).n),
  };

  readonly approvals: ApprovalCatalog = {
    add: (r) => request(this.#db.prepare("INSERT INTO web_requests (kind, requested_by, requested_at, params, purpose, status) VALUES (?, ?, ?, ?, ?, 'pending') RETURNING *")
      .get(r.kind, r.requestedBy, r.requestedAt, r.params, r.purpose) as Row),
    get: (id) => { const r = this.#db.prepare('SELECT * FROM web_requests WHERE id = ?').get(id); return r ? request(r as Row) : undefined; },
    list: (q) => {
      // Only the conditions asked for; their shape depends on which filters are set, never on their values.
      const where: string[] = [], args: (string | number)[] = [];
      if (q.requestedBy !== undefined) { where.push('requested_by = ?'); args.push(q.requestedBy); }
      if (q.status !== undefined) { where.push('status = ?'); args.push(q.status); }
      if (q.kinds !== undefined) { where.push(q.kinds.length ? `kind IN (${placeholders(q.kinds.length)})` : '1 = 0'); args.push(...q.kinds); }
      return this.#db.prepare(`SELECT * FROM web_requests${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`)
        .all(...args, q.limit).map((r) => request(r as Row));
    },
    decide: (id, from, to, by, at, result = null) => Number(this.#db.prepare(
      'UPDATE web_requests SET status = ?, decided_by = coalesce(?, decided_by), decided_at = coalesce(?, decided_at), result = ? WHERE id = ? AND status = ?',
    ).run(to, by, at, result, id, from).changes) === 1,
  };

  readonly holds: LegalHoldCatalog = {
    place: (h) => hold(this.#db.prepare('INSERT INTO web_legal_holds (ip, case_ref, placed_by, placed_at) VALUES (?, ?, ?, ?) RETURNING *').get(h.ip, h.caseRef, h.placedBy, h.placedAt) as Row),
    get: (id) => { const r = this.#db.prepare('SELECT * FROM web_legal_holds WHERE id = ?').get(id); return r ? hold(r as Row) : undefined; },
    active: () => this.#db.prepare('SELECT * FROM web_legal_holds WHERE released_at IS NULL ORDER BY id').all().map((r) => hold(r as Row)),
    release: (id, by, at) => Number(this.#db.prepare('UPDATE web_legal_holds SET released_by = ?, released_at = ? WHERE id = ? AND released_at IS NULL').run(by, at, id).changes) === 1,
  };
}

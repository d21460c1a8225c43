import { DatabaseSync } from 'node:sqlite';
import type {
  AccessEntry, AccessLogTable, Account, AccountCatalog, AccountPatch, ApprovalCatalog, ApprovalRequest,
  GovernanceStore, LegalHold, LegalHoldCatalog, RequestStatus, Role, SessionCatalog, SessionRow,
} from '../governance.ts';
import { RETENTION_001 } from './migrations/retention-001.ts';
import { WEB_001 } from './migrations/web-001.ts';

type Row = Record<string, unknown>;
const str = (v: unknown): string => String(v);
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

const account = (r: Row): Account => ({
  id: Number(r.id), username: str(r.username), role: str(r.role) as Role, passwordHash: str(r.password_hash),
  totpSecret: r.totp_secret === null ? null : str(r.totp_secret), disabled: Number(r.disabled) === 1,
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
  passwordHash: 'password_hash', totpSecret: 'totp_secret', disabled: 'disabled', failedLogins: 'failed_logins', lockedUntil: 'locked_until', role: 'role',
};

/**
 * Governance tables in the data directory's counterseed.db, on a connection of their own (the web
 * server's process). Every query is a prepared statement with bound parameters: no SQL is built from input.
 */
export class SqliteGovernanceStore implements GovernanceStore {
  readonly #db: DatabaseSync;
  readonly #owns: boolean;

  /** `db`: a path (a connection of its own) or an open connection (tests, a store's `database`). */
  constructor(db: string | DatabaseSync) {
    this.#owns = typeof db === 'string';
    this.#db = typeof db === 'string' ? new DatabaseSync(db) : db;
    if (this.#owns) this.#db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;');
    // The SQLite store applies web-001 with every migration; a bare connection (tests) applies it here.
    this.#db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL) STRICT');
    for (const m of [WEB_001, RETENTION_001]) {
      if (this.#db.prepare('SELECT 1 FROM schema_migrations WHERE name = ?').get(m.name) === undefined) {
        this.#tx(() => { this.#db.exec(m.sql); this.#db.prepare('INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)').run(m.name, Date.now()); });
      }
    }
  }

  #tx<T>(fn: () => T): T {
    this.#db.exec('BEGIN IMMEDIATE');
    try { const r = fn(); this.#db.exec('COMMIT'); return r; } catch (e) { this.#db.exec('ROLLBACK'); throw e; }
  }

  readonly accounts: AccountCatalog = {
    add: (a) => {
      const r = this.#db.prepare('INSERT INTO web_accounts (username, role, password_hash, totp_secret, created_at) VALUES (?, ?, ?, ?, ?) RETURNING *')
        .get(a.username, a.role, a.passwordHash, a.totpSecret, a.createdAt);
      return account(r as Row);
    },
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
    append: (build) => this.#tx(() => {
      const last = this.#db.prepare('SELECT * FROM web_access_log ORDER BY seq DESC LIMIT 1').get() as Row | undefined;
      const e = build(last ? entry(last) : undefined);
      const r = this.#db.prepare('INSERT INTO web_access_log (at, user, action, what, purpose, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING *')
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
    list: (q) => this.#db.prepare('SELECT * FROM web_requests WHERE (?1 IS NULL OR requested_by = ?1) AND (?2 IS NULL OR status = ?2) AND (?4 IS NULL OR kind IN (SELECT value FROM json_each(?4))) ORDER BY id DESC LIMIT ?3')
      .all(q.requestedBy ?? null, q.status ?? null, q.limit, q.kinds ? JSON.stringify(q.kinds) : null).map((r) => request(r as Row)),
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

  /** For tests of tamper detection only: the raw connection. */
  get database(): DatabaseSync { return this.#db; }

  close(): void { if (this.#owns) this.#db.close(); }
}

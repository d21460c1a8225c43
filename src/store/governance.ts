/**
 * Governance storage for the analyst web app (issue 13 §3-§6): accounts, server-side sessions,
 * the hash-chained access log (LED Art. 25) and four-eyes requests. Kept beside the evidence store
 * (same data directory) but apart from it: none of this is evidence of a delivery.
 * SQLite implementation: sqlite/governance-store.ts (migration web-001).
 */

export type Role = 'operator' | 'analyst' | 'supervisor' | 'auditor' | 'admin';
export const ROLES: readonly Role[] = ['operator', 'analyst', 'supervisor', 'auditor', 'admin'];

export interface Account {
  readonly id: number;
  readonly username: string;
  readonly role: Role;
  /** argon2id PHC string. */
  readonly passwordHash: string;
  /** Base32 TOTP secret (RFC 6238) when the second factor is on. */
  readonly totpSecret: string | null;
  /** RFC 6238 time step of the last code this account logged in with (web-002), null before the first: only a later step is accepted. */
  readonly totpLastStep: number | null;
  readonly disabled: boolean;
  readonly failedLogins: number;
  /** UTC ms until which logins are refused after too many failures. */
  readonly lockedUntil: number | null;
  readonly createdAt: number;
}

export type AccountPatch = Partial<Pick<Account, 'passwordHash' | 'totpSecret' | 'totpLastStep' | 'disabled' | 'failedLogins' | 'lockedUntil' | 'role'>>;

export interface SessionRow {
  /** SHA-256 (hex) of the cookie token: the token itself is never stored. */
  readonly tokenHash: string;
  readonly accountId: number;
  /** Synchroniser token for CSRF protection, bound to this session. */
  readonly csrfToken: string;
  readonly createdAt: number;
  readonly expiresAt: number;
}

/** One entry of the access log, as stored: `hash` = SHA-256(prevHash + canonical JSON of the body). */
export interface AccessEntry {
  readonly seq: number;
  readonly at: number;
  readonly user: string;
  /** consult | disclose | erase | approve | reject | request */
  readonly action: string;
  /** What was seen or given: a description with the filter (e.g. "deliveries ip=192.0.2.1: 3 rows"). */
  readonly what: string;
  /** Stated purpose or case reference. */
  readonly purpose: string;
  readonly prevHash: string;
  readonly hash: string;
}

export type RequestStatus = 'pending' | 'approved' | 'rejected' | 'done' | 'failed';

/** A request that needs a second person's approval (four-eyes, issue 13 §5). */
export interface ApprovalRequest {
  readonly id: number;
  /** evidence-export, legal-hold-release or erasure (app/retention.ts). */
  readonly kind: string;
  readonly requestedBy: number;
  readonly requestedAt: number;
  /** JSON parameters of the request (the export filter). */
  readonly params: string;
  readonly purpose: string;
  readonly status: RequestStatus;
  readonly decidedBy: number | null;
  readonly decidedAt: number | null;
  /** What the approved action produced (a package directory) or why it failed. */
  readonly result: string | null;
}

export interface AccountCatalog {
  add(a: { username: string; role: Role; passwordHash: string; totpSecret: string | null; createdAt: number }): Account;
  byName(username: string): Account | undefined;
  byId(id: number): Account | undefined;
  list(): Account[];
  update(id: number, patch: AccountPatch): void;
  /**
   * Counts a login attempt BEFORE its password is checked, in one statement (so attempts made at once,
   * in one process or several, each count): failedLogins + 1, and lockedUntil = lockUntil once that
   * reaches maxFailed. False, counting nothing, while the account is locked at `now`.
   */
  countAttempt(id: number, now: number, maxFailed: number, lockUntil: number): boolean;
  /**
   * Uses a TOTP code's time step (OWASP ASVS 2.8.4: once within its validity period), in one conditional
   * statement (so two logins with the same code, in one process or several, cannot both pass): true,
   * and totpLastStep = step, when the account has used no step yet or only earlier ones; false, changing
   * nothing, when step <= totpLastStep (the same code again, or an earlier step's after a later one).
   */
  useTotpStep(id: number, step: number): boolean;
}

export interface SessionCatalog {
  add(s: SessionRow): void;
  get(tokenHash: string): SessionRow | undefined;
  delete(tokenHash: string): void;
  deleteForAccount(accountId: number): void;
  purgeExpired(now: number): number;
}

export interface AccessLogTable {
  /** Appends in one transaction with reading the last hash (so concurrent writers cannot fork the chain). */
  append(build: (last: AccessEntry | undefined) => Omit<AccessEntry, 'seq'>): AccessEntry;
  /** Entries with seq > afterSeq, oldest first, at most `limit`. */
  page(afterSeq: number, limit: number): AccessEntry[];
  count(): number;
}

export interface ApprovalCatalog {
  add(r: Pick<ApprovalRequest, 'kind' | 'requestedBy' | 'requestedAt' | 'params' | 'purpose'>): ApprovalRequest;
  get(id: number): ApprovalRequest | undefined;
  /** Newest first; `kinds`: only requests of these kinds. */
  list(q: { requestedBy?: number; status?: RequestStatus; kinds?: readonly string[]; limit: number }): ApprovalRequest[];
  /** Sets the decision only if the request is still in status `from`; false otherwise (a lost race). */
  decide(id: number, from: RequestStatus, to: RequestStatus, by: number | null, at: number | null, result?: string | null): boolean;
}

/** A legal hold (issue 13 §7): while active, nothing recorded about `ip` is erased, whatever its age. */
export interface LegalHold {
  readonly id: number;
  /** Normalised address (RFC 5952; IPv4-mapped as IPv4). */
  readonly ip: string;
  readonly caseRef: string;
  readonly placedBy: string;
  readonly placedAt: number;
  readonly releasedBy: string | null;
  readonly releasedAt: number | null;
}

export interface LegalHoldCatalog {
  place(h: Pick<LegalHold, 'ip' | 'caseRef' | 'placedBy' | 'placedAt'>): LegalHold;
  get(id: number): LegalHold | undefined;
  /** Holds not released, oldest first. */
  active(): LegalHold[];
  /** False when the hold was already released (a lost race). */
  release(id: number, by: string, at: number): boolean;
}

export interface GovernanceStore {
  readonly accounts: AccountCatalog;
  readonly sessions: SessionCatalog;
  readonly accessLog: AccessLogTable;
  readonly approvals: ApprovalCatalog;
  readonly holds: LegalHoldCatalog;
  close(): void;
}

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import argon2 from 'argon2';
import { InputError, NotFoundError } from '../domain/errors.ts';
import type { Account, Role, SessionRow } from '../store/governance.ts';
import { ROLES } from '../store/governance.ts';
import { AuthenticationError, LockedError, type Actor, type Governance } from './governance.ts';
import { matchTotpStep, newTotpSecret } from './totp.ts';

/** Failed logins in a row before an account locks (OWASP ASVS 2.2.1: anti-automation). */
export const MAX_FAILED_LOGINS = 5;
/** How long a lock lasts. */
export const LOCK_MS = 15 * 60_000;
/** A session ends this long after login (absolute timeout, ASVS 3.3). */
export const SESSION_MS = 8 * 3600_000;
const MIN_PASSWORD = 12;
const USERNAME = /^[a-z0-9][a-z0-9._-]{1,62}$/;

/** argon2id with the package defaults (m=64 MiB, t=3, p=4): above OWASP's minimum (m=19 MiB, t=2). */
const hashPassword = (pw: string): Promise<string> => argon2.hash(pw, { type: argon2.argon2id });
/** A hash to verify against when the user does not exist, so timing does not reveal which names exist. */
let dummyHash: Promise<string> | undefined;

export const sha256Hex = (s: string): string => createHash('sha256').update(s).digest('hex');

export interface PublicAccount { readonly id: number; readonly username: string; readonly role: Role; readonly disabled: boolean; readonly totp: boolean; readonly lockedUntil: number | null; readonly createdAt: number }
const publicAccount = (a: Account): PublicAccount => ({ id: a.id, username: a.username, role: a.role, disabled: a.disabled, totp: a.totpSecret !== null, lockedUntil: a.lockedUntil, createdAt: a.createdAt });

function checkPassword(pw: string): void {
  if (pw.length < MIN_PASSWORD) throw new InputError(`password must have at least ${MIN_PASSWORD} characters`);
  if (pw.length > 1024) throw new InputError('password longer than 1024 characters');
}

export interface AddUserInput { readonly username: string; readonly role: string; readonly password: string; readonly totp?: boolean }

/** `users add`: a new local account; returns the TOTP secret when the second factor is asked for. */
export async function addUser(g: Governance, input: AddUserInput): Promise<{ account: PublicAccount; totpSecret: string | null }> {
  if (!USERNAME.test(input.username)) throw new InputError(`user name "${input.username}" must be 2-63 characters of a-z 0-9 . _ -, starting with a letter or digit`);
  if (!(ROLES as readonly string[]).includes(input.role)) throw new InputError(`role must be one of ${ROLES.join(', ')}`);
  checkPassword(input.password);
  if (g.gov.accounts.byName(input.username)) throw new InputError(`user "${input.username}" exists`);
  const totpSecret = input.totp ? newTotpSecret() : null;
  const a = g.gov.accounts.add({ username: input.username, role: input.role as Role, passwordHash: await hashPassword(input.password), totpSecret, createdAt: g.now() });
  return { account: publicAccount(a), totpSecret };
}

export const listUsers = (g: Governance): PublicAccount[] => g.gov.accounts.list().map(publicAccount);

function named(g: Governance, username: string): Account {
  const a = g.gov.accounts.byName(username);
  if (!a) throw new NotFoundError(`no user "${username}"`);
  return a;
}

/** `users disable`: the account can no longer log in and its sessions end now. */
export function disableUser(g: Governance, username: string): PublicAccount {
  const a = named(g, username);
  g.gov.accounts.update(a.id, { disabled: true });
  g.gov.sessions.deleteForAccount(a.id);
  return publicAccount(g.gov.accounts.byId(a.id)!);
}

/** `users reset`: a new password (and optionally a new TOTP secret); unlocks, re-enables, ends its sessions. */
export async function resetUser(g: Governance, input: { username: string; password: string; totp?: boolean }): Promise<{ account: PublicAccount; totpSecret: string | null }> {
  const a = named(g, input.username);
  checkPassword(input.password);
  const totpSecret = input.totp ? newTotpSecret() : a.totpSecret;
  // A new secret's codes have not been used: its steps start afresh.
  g.gov.accounts.update(a.id, { passwordHash: await hashPassword(input.password), totpSecret, ...(input.totp ? { totpLastStep: null } : {}), disabled: false, failedLogins: 0, lockedUntil: null });
  g.gov.sessions.deleteForAccount(a.id);
  return { account: publicAccount(g.gov.accounts.byId(a.id)!), totpSecret: input.totp ? totpSecret : null };
}

export interface LoginInput { readonly username: string; readonly password: string; readonly totp?: string }
/** A new session: `token` goes into the cookie (only its hash is stored), `csrfToken` into forms and headers. */
export interface NewSession { readonly token: string; readonly csrfToken: string; readonly actor: Actor; readonly expiresAt: number }

/**
 * Checks a login and opens a NEW session (never one the client brought: session fixation, ASVS 3.2.1).
 * After MAX_FAILED_LOGINS failures in a row the account locks for LOCK_MS; a locked account
 * is refused before its password is checked. The same error for unknown names and wrong passwords.
 */
export async function login(g: Governance, input: LoginInput): Promise<NewSession> {
  const a = g.gov.accounts.byName(input.username);
  const now = g.now();
  // The attempt counts as failed before the (asynchronous) password check: attempts made at once, on one
  // worker or several, cannot all pass the lock check on the same count (MAX_FAILED_LOGINS guesses, not
  // as many as arrive in parallel). A success below resets it.
  if (a && !g.gov.accounts.countAttempt(a.id, now, MAX_FAILED_LOGINS, now + LOCK_MS)) throw new LockedError(g.gov.accounts.byId(a.id)?.lockedUntil ?? now + LOCK_MS);
  if (!a) {
    dummyHash ??= hashPassword('counterseed-dummy-password');
    await argon2.verify(await dummyHash, input.password).catch(() => false);
    throw new AuthenticationError();
  }
  const passwordOk = input.password.length <= 1024 && await argon2.verify(a.passwordHash, input.password).catch(() => false);
  if (!passwordOk || a.disabled) throw new AuthenticationError();
  // The second factor last, so that only a login that passes everything else uses up its code's step.
  // A step is used once, and only after the last one used (OWASP ASVS 2.8.4: a replayed or earlier code
  // is refused like a wrong one, and stays counted as a failed attempt). The check and the use are one
  // conditional UPDATE: two logins with the same code at once, on one worker or several, cannot both pass.
  if (a.totpSecret !== null) {
    const step = matchTotpStep(a.totpSecret, input.totp ?? '', now);
    if (step === null || !g.gov.accounts.useTotpStep(a.id, step)) throw new AuthenticationError();
  }
  g.gov.accounts.update(a.id, { failedLogins: 0, lockedUntil: null });
  const token = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(32).toString('base64url');
  const expiresAt = now + SESSION_MS;
  g.gov.sessions.add({ tokenHash: sha256Hex(token), accountId: a.id, csrfToken, createdAt: now, expiresAt });
  return { token, csrfToken, actor: { id: a.id, username: a.username, role: a.role }, expiresAt };
}

export interface ActiveSession { readonly actor: Actor; readonly session: SessionRow }

/** The session a cookie token stands for, or undefined (unknown, expired, account disabled). */
export function resolveSession(g: Governance, token: string | undefined): ActiveSession | undefined {
  if (!token || token.length > 200) return undefined;
  const s = g.gov.sessions.get(sha256Hex(token));
  if (!s) return undefined;
  if (s.expiresAt <= g.now()) { g.gov.sessions.delete(s.tokenHash); return undefined; }
  const a = g.gov.accounts.byId(s.accountId);
  if (!a || a.disabled) return undefined;
  return { actor: { id: a.id, username: a.username, role: a.role }, session: s };
}

/** Constant-time comparison of the CSRF token a request carries with its session's. */
export function csrfMatches(session: SessionRow, presented: string | undefined): boolean {
  if (!presented) return false;
  const a = Buffer.from(session.csrfToken), b = Buffer.from(presented);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function logout(g: Governance, token: string | undefined): void {
  if (token) g.gov.sessions.delete(sha256Hex(token));
}

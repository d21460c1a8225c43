import { CounterseedError } from '../domain/errors.ts';
import type { Account, GovernanceStore, Role } from '../store/governance.ts';

export type { Account, Role } from '../store/governance.ts';
export { ROLES } from '../store/governance.ts';

/** What the governance use cases need: the governance store and a clock. */
export interface Governance {
  readonly gov: GovernanceStore;
  readonly now: () => number;
}

/** Who is acting: the account a session or the CLI stands for. */
export type Actor = Pick<Account, 'id' | 'username' | 'role'>;

/** Wrong user name, password or second factor; or a session that is unknown or expired. */
export class AuthenticationError extends CounterseedError {
  override name = 'AuthenticationError';
  constructor(message = 'user name, password or code not accepted') { super(message, 1); }
}

/** Too many failed logins: refused until `until` (UTC ms) whatever the password. */
export class LockedError extends CounterseedError {
  override name = 'LockedError';
  readonly until: number;
  constructor(until: number) { super(`too many failed logins: locked until ${new Date(until).toISOString()}`, 1); this.until = until; }
}

/** The actor's role does not allow this, or four-eyes forbids it (approving one's own request). */
export class PermissionError extends CounterseedError {
  override name = 'PermissionError';
  constructor(message: string) { super(message, 1); }
}

/** The request is in a state that does not allow this step (already decided, not yet approved). */
export class StateError extends CounterseedError {
  override name = 'StateError';
  constructor(message: string) { super(message, 1); }
}

/**
 * What each role may do (issue 13 §4). A role never gets what it does not need: operators run
 * the machinery and see no IPs, analysts consult personal data (always with a purpose), supervisors
 * approve, auditors read the access log only, admins manage accounts. 'retention' (the review, legal
 * holds, erasure requests) belongs to those who work with the cases: analysts and supervisors.
 * 'risk:review' (issue 14 §3: a person marks a draft risk assessment reviewed, with a reason) is the
 * analyst's, who assesses, and the supervisor's, who oversees: both see the working to do it.
 */
export type Permission =
  | 'overview' | 'operate' | 'consult' | 'export:request' | 'approve' | 'audit' | 'users' | 'retention' | 'risk:review';

export const PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = {
  operator: ['overview', 'operate'],
  analyst: ['overview', 'consult', 'export:request', 'retention', 'risk:review'],
  supervisor: ['overview', 'approve', 'retention', 'risk:review'],
  auditor: ['audit'],
  admin: ['users'],
};

export const may = (role: Role, p: Permission): boolean => PERMISSIONS[role].includes(p);

export function requirePermission(actor: Actor, p: Permission): void {
  if (!may(actor.role, p)) throw new PermissionError(`role ${actor.role} may not ${p}`);
}

/**
 * Opens the data directory's governance store (creating its tables on first use), runs `use`, and
 * closes it whatever happens. The caller opens the data directory's Context first when it needs both.
 */
export async function withGovernance<T>(settings: import('../config/settings.ts').Settings, use: (g: Governance) => Promise<T> | T): Promise<T> {
  const { openGovernanceStore } = await import('../node/governance.ts');
  const gov = openGovernanceStore(settings);
  try {
    return await use({ gov, now: Date.now });
  } finally {
    gov.close();
  }
}

import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { purposeBanner as bannerFor, type DataPurpose } from '../domain/data-purpose.ts';
import { InputError } from '../domain/errors.ts';
import { readPurpose } from '../node/data-purpose.ts';
import type { Role } from '../store/governance.ts';
import { addUser, resetUser } from './accounts.ts';
import type { Governance } from './governance.ts';

/**
 * What a data directory holds: THE reading of its PURPOSE file (node/data-purpose.ts; a store made
 * before the file existed counts as evidence); undefined for an empty directory.
 */
export function dataPurpose(dataDir: string): DataPurpose | undefined {
  return readPurpose(dataDir);
}

/** The line every page shows for data that is not evidence, so lab data is never taken for real. */
export function purposeBanner(dataDir: string): string | undefined {
  const p = dataPurpose(dataDir);
  return p === undefined ? undefined : bannerFor(p);
}

export interface DemoAccount { readonly username: string; readonly role: Role; readonly password: string }
const DEMO_ROLES: readonly Role[] = ['analyst', 'supervisor', 'auditor', 'operator'];

/**
 * Demo accounts for a lab data directory (issue 13 §9): one per working role, fresh random
 * passwords each time (printed once by the caller). Refused for any directory that may hold real
 * evidence: demo accounts must never reach real personal data.
 */
export async function createDemoAccounts(g: Governance, dataDir: string): Promise<DemoAccount[]> {
  const p = dataPurpose(dataDir);
  if (p !== 'lab' && p !== 'synthetic') throw new InputError(`demo accounts are for lab data only: ${join(dataDir, 'PURPOSE')} says ${p ?? 'nothing (an empty directory)'}`);
  const out: DemoAccount[] = [];
  for (const role of DEMO_ROLES) {
    const username = `demo-${role}`;
    const password = randomBytes(12).toString('base64url');
    if (g.gov.accounts.byName(username)) await resetUser(g, { username, password });
    else await addUser(g, { username, role, password });
    out.push({ username, role, password });
  }
  return out;
}

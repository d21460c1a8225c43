import { join } from 'node:path';
import type { Settings } from '../config/settings.ts';
import type { GovernanceStore } from '../store/governance.ts';
import { PgGovernanceStore } from '../store/postgres/pg-governance-store.ts';
import { SqliteGovernanceStore } from '../store/sqlite/governance-store.ts';

/**
 * Opens the governance store (accounts, sessions, access log, approvals, legal holds): THE place
 * that chooses its implementation, beside openContext, by the same `store` setting. SQLite: the data
 * directory's counterseed.db; PostgreSQL (`--store postgres://…`): that database, beside the evidence
 * it guards. Either way on a connection of its own (the web server is its own process).
 */
export function openGovernanceStore(settings: Settings): GovernanceStore {
  return settings.store === '' ? new SqliteGovernanceStore(join(settings.dataDir, 'counterseed.db')) : new PgGovernanceStore({ url: settings.store });
}

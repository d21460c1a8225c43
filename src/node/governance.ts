import { join } from 'node:path';
import type { Settings } from '../config/settings.ts';
import type { GovernanceStore } from '../store/governance.ts';
import { SqliteGovernanceStore } from '../store/sqlite/governance-store.ts';

/**
 * Opens the governance store of a data directory (accounts, sessions, access log, approvals):
 * THE place that chooses its implementation, beside openContext. SQLite today, in the same
 * counterseed.db on a connection of its own (the web server is its own process).
 */
export function openGovernanceStore(settings: Settings): GovernanceStore {
  return new SqliteGovernanceStore(join(settings.dataDir, 'counterseed.db'));
}

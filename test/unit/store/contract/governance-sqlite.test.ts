import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../../../src/store/sqlite/sqlite-store.ts';
import { SqliteGovernanceStore } from '../../../../src/store/sqlite/governance-store.ts';
import { governanceContract } from './governance-contract.ts';

// Against the embedded store as `serve` opens it: the data directory's database (migrated by the
// SQLite store, web-001 included), on a connection of its own.
governanceContract({
  name: 'SQLite',
  async open() {
    const dir = mkdtempSync(join(tmpdir(), 'cs-gov-contract-'));
    const store = new SqliteStore(join(dir, 'counterseed.db'));
    const gov = new SqliteGovernanceStore(join(dir, 'counterseed.db'));
    return { gov, dispose: async () => { gov.close(); await store.close(); rmSync(dir, { recursive: true, force: true }); } };
  },
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../../../src/store/sqlite/sqlite-store.ts';
import { storeContract } from './store-contract.ts';

// The contract suite against the embedded store: in a file (WAL, as a node runs it).
storeContract({
  name: 'SQLite',
  async open() {
    const dir = mkdtempSync(join(tmpdir(), 'cs-contract-'));
    const store = new SqliteStore(join(dir, 'counterseed.db'));
    return { store, dir, dispose: async () => { await store.close(); rmSync(dir, { recursive: true, force: true }); } };
  },
});

/**
 * A process for the cross-process access-log test (test/unit/web/workers.test.ts): opens the data
 * directory's governance store on a connection of its own, as a `serve --workers N` worker does, waits
 * for the common start time, then appends `n` entries, 1 ms apart.
 *   node access-log-process.ts DATA_DIR STORE_URL_OR_EMPTY N USER START_MS
 */
import { recordAccess } from '../../src/app/access-log.ts';
import { loadSettings } from '../../src/config/load.ts';
import { openGovernanceStore } from '../../src/node/governance.ts';

const [dataDir, store, n, user, start] = process.argv.slice(2) as [string, string, string, string, string];
const gov = openGovernanceStore(loadSettings({ flags: { dataDir, ...(store ? { store } : {}) }, env: {} }));
try {
  while (Date.now() < Number(start)) await new Promise((r) => setTimeout(r, 5));
  for (let i = 0; i < Number(n); i++) {
    recordAccess({ gov, now: Date.now }, { id: 1, username: user, role: 'analyst' }, 'consult', `dossier 198.18.0.${i % 250}: 1 deliveries`, 'case-1');
    // A pause between appends, as between web requests: SQLite's busy handler sleeps while a writer that
    // loops without one takes the lock again at once, so the two would otherwise run one after the other.
    await new Promise((r) => setTimeout(r, 1));
  }
} finally { gov.close(); }

/**
 * Worker for the concurrent access-log test (governance-postgres.test.ts): opens a governance store
 * of its own on the same database and appends `n` entries as fast as it can, as a second web server
 * process would.
 */
import { workerData } from 'node:worker_threads';
import { recordAccess } from '../../src/app/access-log.ts';
import { PgGovernanceStore } from '../../src/store/postgres/pg-governance-store.ts';

const { url, schema, n, user } = workerData as { url: string; schema: string; n: number; user: string };
const gov = new PgGovernanceStore({ url, schema });
try {
  for (let i = 0; i < n; i++) recordAccess({ gov, now: Date.now }, { id: 1, username: user, role: 'analyst' }, 'consult', `dossier 198.18.0.${i % 250}: 1 deliveries`, 'case-1');
} finally { gov.close(); }

/**
 * Worker for the concurrent TOTP-step test (totp-replay.test.ts): opens a governance store of its own
 * on the same database, as a second `serve` worker process would, waits for the other worker, and tries to use each of `steps`
 * for account `id` as fast as it can; posts back the steps it was granted.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { GovernanceStore } from '../../src/store/governance.ts';
import { PgGovernanceStore } from '../../src/store/postgres/pg-governance-store.ts';
import { SqliteGovernanceStore } from '../../src/store/sqlite/governance-store.ts';

const { kind, path, url, schema, id, steps, gate } = workerData as { kind: 'sqlite' | 'postgres'; path?: string; url?: string; schema?: string; id: number; steps: number[]; gate: SharedArrayBuffer };
const gov: GovernanceStore = kind === 'sqlite' ? new SqliteGovernanceStore(path!) : new PgGovernanceStore({ url: url!, ...(schema !== undefined ? { schema } : {}) });
try {
  // Start together: both connections open, then wait (10 s at most) until the other worker is ready too.
  const ready = new Int32Array(gate);
  Atomics.add(ready, 0, 1);
  Atomics.notify(ready, 0);
  for (let i = 0; i < 100 && Atomics.load(ready, 0) < 2; i++) Atomics.wait(ready, 0, 1, 100);
  parentPort!.postMessage(steps.filter((s) => gov.accounts.useTotpStep(id, s)));
} finally { gov.close(); }

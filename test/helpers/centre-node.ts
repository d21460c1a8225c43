import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { CentreDb } from '../../src/centre/centre-db.ts';
import { CentreServer } from '../../src/centre/centre-server.ts';
import { openEvidence, type OpenedEvidence } from '../../src/evidence/open.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { newDecoy, PAYLOAD } from '../unit/store/contract/store-contract.ts';
import { dropSchema, TEST_PG_URL, uniqueSchema } from './postgres.ts';
import { sampleDelivery } from './sample-observations.ts';

/** A node for centre tests: its own SQLite store and evidence key in a temporary directory. */
export interface TestNode {
  readonly store: SqliteStore;
  readonly ev: OpenedEvidence;
  readonly dir: string;
  /** Records `n` deliveries (in batches of up to 5,000), chained. */
  record(n: number): Promise<void>;
  dispose(): Promise<void>;
}

export async function testNode(n = 1): Promise<TestNode> {
  const dir = mkdtempSync(join(tmpdir(), 'cs-centre-node-'));
  const store = new SqliteStore(join(dir, 'counterseed.db'));
  store.insertPayload(PAYLOAD);
  const [d] = await store.insertDecoys([newDecoy(n)], 1000);
  const ev = openEvidence(store, dir, { now: () => 1_764_000_000_000 });
  let t = 1_764_000_000_000;
  return {
    store, ev, dir,
    async record(count: number) {
      for (let left = count; left > 0; left -= 5000) {
        const batch = Array.from({ length: Math.min(5000, left) }, (_, i) => sampleDelivery(d!.id, d!.infoHash, { startedAt: t + i, endedAt: t + i + 1, remoteIp: `198.18.${(i >> 8) & 255}.${i & 255}` }));
        t += batch.length;
        await store.appendObservations(batch);
      }
    },
    async dispose() { ev.detach(); await store.close(); rmSync(dir, { recursive: true, force: true }); },
  };
}

/** A centre for one describe block: its own PostgreSQL schema, its HTTP server and `count` registered test nodes. */
export interface CentreHarness {
  readonly schema: string;
  readonly db: CentreDb;
  readonly server: CentreServer;
  /** node-1 .. node-count, registered at the centre under those names. */
  readonly nodes: readonly TestNode[];
}

/**
 * Call inside `describe`: its before hook opens the centre and registers the nodes, its after hook
 * closes and removes all of it (also when before failed half-way). The fields are set once before ran.
 */
export function centreWithNodes(prefix: string, count: number): CentreHarness {
  const schema = uniqueSchema(prefix);
  const nodes: TestNode[] = [];
  const h = { schema, db: undefined as unknown as CentreDb, server: undefined as unknown as CentreServer, nodes };
  before(async () => {
    h.db = await CentreDb.open(TEST_PG_URL, schema);
    h.server = await CentreServer.start({ db: h.db });
    for (let i = 1; i <= count; i++) {
      const n = await testNode(i);
      nodes.push(n);
      await h.db.registerNode(n.ev.key.publicPem, `node-${i}`);
    }
  });
  after(async () => {
    await h.server?.close();
    await h.db?.close();
    for (const n of nodes) await n.dispose();
    await dropSchema(schema);
  });
  return h;
}

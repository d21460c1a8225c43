import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { CentreDb } from '../../../src/centre/centre-db.ts';
import { CentreServer } from '../../../src/centre/centre-server.ts';
import { Shipper } from '../../../src/centre/shipper.ts';
import { PostgresStore } from '../../../src/store/postgres/postgres-store.ts';
import type { Store } from '../../../src/store/store.ts';
import { testNode, type TestNode } from '../../helpers/centre-node.ts';
import { sampleAnnounce } from '../../helpers/sample-observations.ts';
import { dropSchema, pgUnavailable, TEST_PG_URL, uniqueSchema } from '../../helpers/postgres.ts';

const unavailable = await pgUnavailable();
const ALL = { from: 0, to: 8.64e15 };

/** The figures `stats` publishes, summed over every bucket. */
function figures(store: Store): { deliveries: number; metadataOnly: number; uniqueIps: number; announces: number } {
  store.intel.refreshRollups();
  const rows = store.intel.activity(ALL, 'year');
  const sum = (k: 'deliveries' | 'metadataOnly' | 'uniqueIps') => rows.reduce((a, r) => a + r[k], 0);
  return { deliveries: sum('deliveries'), metadataOnly: sum('metadataOnly'), uniqueIps: sum('uniqueIps'), announces: 0 };
}

async function shipAll(url: string, n: TestNode): Promise<void> {
  const s = new Shipper({ url, key: n.ev.key, log: n.ev.table, batchSize: 250 });
  const total = n.ev.table.count();
  for (let i = 0; i < 100 && (s.acked ?? -1) < total; i++) await s.shipOnce();
  assert.equal(s.acked, total);
}

describe('centre: shipped records feed the intelligence (issue 12)', { skip: unavailable }, () => {
  const schema = uniqueSchema('cs_projection');
  let db: CentreDb;
  let server: CentreServer;
  let centre: PostgresStore;
  const nodes: TestNode[] = [];

  before(async () => {
    db = await CentreDb.open(TEST_PG_URL, schema);
    server = await CentreServer.start({ db });
    for (const i of [1, 2]) {
      const n = await testNode(i);
      await db.registerNode(n.ev.key.publicPem, `node-${i}`);
      nodes.push(n);
    }
    centre = new PostgresStore({ url: TEST_PG_URL, schema });
  });
  after(async () => {
    await server?.close();
    await db?.close();
    await centre?.close();
    for (const n of nodes) await n.dispose();
    await dropSchema(schema);
  });

  it('stats at the centre count what the nodes count, once, through re-shipping and a second refresh', async () => {
    await nodes[0]!.record(700);
    await nodes[1]!.record(450);
    const d = (await nodes[0]!.store.listDecoys({ limit: 1 }))[0]!;
    await nodes[0]!.store.appendObservations([sampleAnnounce(d.infoHash, d.id), sampleAnnounce(d.infoHash, null)]);
    for (const n of nodes) await shipAll(server.url, n);
    const own = nodes.map((n) => figures(n.store));
    assert.deepEqual(own.map((f) => f.deliveries), [700, 450]);
    const atCentre = figures(centre);
    assert.equal(atCentre.deliveries, own[0]!.deliveries + own[1]!.deliveries);
    assert.equal(atCentre.metadataOnly, own[0]!.metadataOnly + own[1]!.metadataOnly);

    // Re-shipping everything from 0 (a node that lost its acknowledgement) and refreshing again adds nothing.
    for (const n of nodes) {
      const again = new Shipper({ url: server.url, key: n.ev.key, log: n.ev.table, batchSize: 1000 });
      await again.shipOnce();
      assert.ok((again.acked ?? 0) > 0);
    }
    assert.equal(figures(centre).deliveries, 1150);

    // More records on one node: only those are added; a fresh store (a restart) finds nothing new to add.
    await nodes[1]!.record(50);
    await shipAll(server.url, nodes[1]!);
    assert.equal(figures(centre).deliveries, 1200);
    const restarted = new PostgresStore({ url: TEST_PG_URL, schema });
    try { assert.equal(figures(restarted).deliveries, 1200); } finally { await restarted.close(); }

    // The command an operator runs at the centre: `stats --store postgres://…`.
    const data = mkdtempSync(join(tmpdir(), 'cs-projection-cli-'));
    try {
      const cli = (args: string[]) => new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => execFile(process.execPath, ['src/cli/main.ts', '--data', data, ...args],
        (err, stdout, stderr) => resolve({ code: err ? (err as { code?: number }).code ?? 1 : 0, stdout, stderr })));
      assert.equal((await cli(['init'])).code, 0);
      const store = `${TEST_PG_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
      const r = await cli(['--store', store, 'stats', '--period', 'year', '--json']);
      assert.equal(r.code, 0, r.stderr);
      const rows = (JSON.parse(r.stdout) as { activity: { deliveries: number }[] }).activity;
      assert.equal(rows.reduce((a, x) => a + x.deliveries, 0), 1200, 'stats --store postgres:// counts the shipped deliveries');
    } finally { rmSync(data, { recursive: true, force: true }); }

    // Each row names its node; the evidence table is untouched (one row per shipped record).
    const c = new pg.Client({ connectionString: TEST_PG_URL, options: `-c search_path="${schema}"` });
    await c.connect();
    try {
      const perNode = (await c.query('SELECT node, count(*)::int AS n FROM deliveries GROUP BY node ORDER BY n DESC')).rows;
      assert.deepEqual(perNode.map((r) => [r.node, r.n]), [[nodes[0]!.ev.key.fingerprint, 700], [nodes[1]!.ev.key.fingerprint, 500]]);
      const announces = (await c.query('SELECT count(*)::int AS n, count(decoy_id)::int AS with_decoy FROM tracker_announces WHERE node = $1', [nodes[0]!.ev.key.fingerprint])).rows[0];
      assert.deepEqual([announces.n, announces.with_decoy], [2, 2], 'both announces, each with the decoy of its infohash');
      const records = Number((await c.query('SELECT count(*) AS n FROM centre_nodes n, cs_centre_records(n.id, 0, 1099511627776)')).rows[0].n);
      assert.equal(records, nodes[0]!.ev.table.count() + nodes[1]!.ev.table.count());
    } finally { await c.end(); }
  });
});

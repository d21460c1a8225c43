import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pullAssignment } from '../../../src/centre/assignment-client.ts';
import { CentreDb, RefusedBatch } from '../../../src/centre/centre-db.ts';
import { Shipper, ShipRefused } from '../../../src/centre/shipper.ts';
import { centreWithNodes } from '../../helpers/centre-node.ts';
import { pgUnavailable } from '../../helpers/postgres.ts';

const unavailable = await pgUnavailable();

describe('centre: a revoked node key (issue 12 item 3)', { skip: unavailable }, () => {
  const centre = centreWithNodes('cs_revoke', 1);

  it('refuses and counts the new records and pulls of a revoked key; what it stored before stays', async () => {
    const { db, server } = centre;
    const n = centre.nodes[0]!;
    const fp = n.ev.key.fingerprint;
    await n.record(10);
    const s = new Shipper({ url: server.url, key: n.ev.key, log: n.ev.table, batchSize: 100 });
    await s.shipOnce();
    assert.equal((await s.shipOnce()).acked, 10);

    assert.equal(await db.revokeNode(fp, 'key copied off the machine'), true);
    assert.equal(await db.revokeNode(fp, 'again'), false, 'revoked once');
    await n.record(5);
    await assert.rejects(s.shipOnce(), (e: unknown) => e instanceof ShipRefused && e.status === 403 && e.reason === 'revoked-key');
    // Directly at the database too (a batch that passed the intake's check before the revocation).
    await assert.rejects(db.ingest(fp, { records: [...n.ev.table.range(10, 15)].map((r) => ({ seq: r.seq, text: r.text })), checkpoints: [] }),
      (e: unknown) => e instanceof RefusedBatch && e.reason === 'revoked-key');
    const health = { at: Date.now(), adapters: [], inbound: [], campaigns: [], problems: [] };
    await assert.rejects(pullAssignment({ url: server.url, key: n.ev.key, health }), /revoked/);

    assert.equal(await db.count(fp), 10, 'nothing stored after the revocation; the 10 before stay');
    const st = (await db.status()).find((x) => x.fingerprint === fp)!;
    assert.equal(st.acked, 10);
    assert.ok(st.revokedAt !== null);
    const refused = (await db.refusals()).filter((r) => r.fingerprint === fp);
    assert.deepEqual(refused, [{ fingerprint: fp, reason: 'revoked-key', count: 2 }], 'the batch and the pull refused at the intake, counted');
  });
});

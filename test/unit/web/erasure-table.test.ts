import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DatabaseSync } from 'node:sqlite';
import { signCheckpoint } from '../../../src/app/evidence.ts';
import { join } from 'node:path';
import { openEvidence } from '../../../src/evidence/open.ts';
import { openErasure } from '../../../src/node/erasure.ts';
import { pgUnavailable } from '../../helpers/postgres.ts';
import { sampleDelivery } from '../../helpers/sample-observations.ts';
import { HOSTILE_NAMES, webFixture, type StoreKind, type WebFixture } from './fixture.ts';

// The same erasure SQL runs on both stores (store/sqlite/erasure-table.ts; the PostgreSQL store over PgDatabase).
const pgSkip = await pgUnavailable();
for (const kind of ['sqlite', 'postgres'] as StoreKind[]) describe(`erasure table: ${kind}`, { skip: kind === 'postgres' && pgSkip }, () => {
  let f: WebFixture;
  before(async () => { f = await webFixture({ store: kind }); });
  after(async () => { await f?.close(); });

  it('erasure touches only records below the signed tree size, keeps held addresses, and leaves the chain counting tombstones as rows', async () => {
    const store = f.ctx.store;
    const table = openErasure(store);
    const signed = (await signCheckpoint(f.ctx)).treeSize;
    // A record chained after the checkpoint: the job must not erase it (its content was never audited).
    const [decoy] = await store.listDecoys();
    const ev = openEvidence(store, join(f.root, 'data'), { create: false });
    await store.appendObservations([sampleDelivery(decoy!.id, decoy!.infoHash, { remoteIp: '198.18.0.13', startedAt: 1_764_000_200_000 })]);
    ev.detach();
    const sel = { kinds: ['delivery'], before: 8.64e15, ip: '198.18.0.13', exceptIps: [], belowSeq: signed };
    assert.deepEqual(table.due(sel).map((d) => d.records), [HOSTILE_NAMES.length + 1], 'due counts by time, whatever the seq');
    const [done] = table.erase(sel, { erasure: 'test erasure 1', at: 5 });
    assert.equal(done!.records, HOSTILE_NAMES.length, 'only the records under the signed checkpoint');
    const left = await store.queryDeliveries({ ip: '198.18.0.13' });
    assert.deepEqual(left.map((d) => d.startedAt), [1_764_000_200_000]);
    assert.equal(table.count(), HOSTILE_NAMES.length);
    const t = table.tombstone(done!.firstSeq!)!;
    assert.deepEqual([t.kind, t.erasure, t.erasedAt], ['delivery', 'test erasure 1', 5]);
    // Held addresses are never selected, and their records counted as held.
    const held = table.due({ kinds: ['delivery'], before: 8.64e15, exceptIps: ['198.18.0.11'] })[0]!;
    assert.deepEqual([held.records, held.held], [HOSTILE_NAMES.length + 1, HOSTILE_NAMES.length]);
    // The next audited checkpoint (every table's rows counted against the chain) accepts the tombstones.
    assert.ok((await signCheckpoint(f.ctx)).treeSize > signed);
  });
  it('addresses left with no record leave the analysis tables; addresses with records keep their rows', async () => {
    const db = (f.ctx.store as unknown as { database: DatabaseSync }).database;
    for (const [id, ip] of [[901, '198.18.0.12'], [902, '198.18.0.11']] as const) {
      db.prepare('INSERT INTO intel_ips (ip_id, ip) VALUES (?, ?)').run(id, ip);
      db.prepare('INSERT INTO intel_ip_activity (ip_id, first_seen, last_seen) VALUES (?, 1, 2)').run(id);
      db.prepare("INSERT INTO intel_ip_bucket (period, bucket, ip_id) VALUES ('week', 20000, ?)").run(id);
    }
    const signed = (await signCheckpoint(f.ctx)).treeSize;
    const [done] = openErasure(f.ctx.store).erase({ kinds: ['delivery'], before: 8.64e15, ip: '198.18.0.12', exceptIps: [], belowSeq: signed }, { erasure: 'test erasure 2', at: 6 });
    assert.equal(done!.records, HOSTILE_NAMES.length);
    const left = (table: string) => (db.prepare(`SELECT ip_id FROM ${table} WHERE ip_id IN (901, 902) ORDER BY ip_id`).all() as { ip_id: number }[]).map((r) => Number(r.ip_id));
    for (const table of ['intel_ips', 'intel_ip_activity', 'intel_ip_bucket']) assert.deepEqual(left(table), [902], table);
  });
});

import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { withContext } from '../../../src/app/context.ts';
import { exportEvidence, initEvidence, nodeKey, signCheckpoint } from '../../../src/app/evidence.ts';
import { verifyEvidence } from '../../../src/app/verify-evidence.ts';
import { loadSettings } from '../../../src/config/load.ts';
import { NotFoundError } from '../../../src/domain/errors.ts';
import { EvidenceError } from '../../../src/evidence/errors.ts';
import { openEvidence } from '../../../src/evidence/open.ts';
import { sampleDelivery } from '../../helpers/sample-observations.ts';
import { testDecoy } from '../../helpers/test-decoy.ts';

it('evidence use cases: init, key, checkpoint, export by filter and by saved case, verify', async () => {
  const root = mkdtempSync(join(tmpdir(), 'cs-app-ev-'));
  const settings = loadSettings({ flags: { dataDir: join(root, 'data') }, env: {} });
  const quiet = () => {};
  await withContext(settings, quiet, async (ctx) => {
    await assert.rejects(nodeKey(ctx), EvidenceError, 'no key before init');
    const first = await initEvidence(ctx);
    assert.equal(first.created, true);
    assert.match(first.fingerprint, /^[0-9a-f]{64}$/);
    const again = await initEvidence(ctx);
    assert.deepEqual([again.created, again.fingerprint], [false, first.fingerprint]);
    assert.equal((await nodeKey(ctx)).fingerprint, first.fingerprint);

    // Deliveries appended while the log is open are chained.
    const d = testDecoy({ name: 'holiday-video-0042.mp4', size: 50_000 }).decoy;
    ctx.store.insertPayload({ id: d.payloadId, size: d.size, label: 'a', mediaType: 'video/mp4', addedAt: 1 });
    const [decoy] = await ctx.store.insertDecoys([d], 1_764_000_000_000);
    const ev = openEvidence(ctx.store, settings.dataDir, { create: false });
    await ctx.store.appendObservations([
      sampleDelivery(decoy!.id, decoy!.infoHash, { remoteIp: '198.18.0.11' }),
      sampleDelivery(decoy!.id, decoy!.infoHash, { remoteIp: '198.18.0.12' }),
      sampleDelivery(decoy!.id, decoy!.infoHash, { remoteIp: '198.18.0.11', startedAt: 1_764_000_100_000, endedAt: 1_764_000_100_500 }),
    ]);
    ev.detach();

    const cp = await signCheckpoint(ctx);
    assert.equal(cp.node, first.fingerprint);
    assert.ok(cp.treeSize >= 3, `tree of ${cp.treeSize}`);

    const byIp = await exportEvidence(ctx, { out: join(root, 'by-ip'), filter: { ip: '198.18.0.11' }, caseName: 'case-7' });
    assert.deepEqual([byIp.deliveries, byIp.fingerprint], [2, first.fingerprint]);
    const byCase = await exportEvidence(ctx, { out: join(root, 'by-case'), filter: {}, caseName: 'case-7' });
    assert.equal(byCase.deliveries, 2, 'the saved filter');
    await assert.rejects(exportEvidence(ctx, { out: join(root, 'none'), filter: {}, caseName: 'case-8' }), NotFoundError);
    await assert.rejects(exportEvidence(ctx, { out: join(root, 'other'), filter: { ip: '198.18.0.12' }, caseName: 'case-7' }), /saved with another filter/);
    const replaced = await exportEvidence(ctx, { out: join(root, 'replaced'), filter: { ip: '198.18.0.12' }, caseName: 'case-7', replace: true });
    assert.equal(replaced.deliveries, 1);

    for (const dir of ['by-ip', 'by-case']) {
      const v = await verifyEvidence({ dir: join(root, dir), keyFingerprint: first.fingerprint }, { offThread: true });
      assert.deepEqual([v.ok, v.facts.deliveries], [true, 2], dir);
    }
  });
});

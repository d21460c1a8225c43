import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { InterruptedError } from '../../../src/app/errors.ts';
import { verifyEvidence } from '../../../src/app/verify-evidence.ts';
import { evidenceFixture } from '../evidence/fixture.ts';

describe('verifyEvidence (app): the offline verifier inline or on a worker thread', () => {
  let pristine = '';
  let tampered = '';
  let fingerprint = '';
  before(async () => {
    const f = await evidenceFixture({ deliveries: 2000 });
    fingerprint = f.ev.key.fingerprint;
    const root = mkdtempSync(join(tmpdir(), 'cs-app-verify-'));
    pristine = join(root, 'pristine');
    await f.exportTo(pristine, {}, { x: 'all' });
    tampered = join(root, 'tampered');
    cpSync(pristine, tampered, { recursive: true });
    const records = join(tampered, 'records.ndjson');
    writeFileSync(records, readFileSync(records, 'utf8').replace(/"remotePort":4(\d)/, (_m, c: string) => `"remotePort":5${c}`));
    f.ev.detach();
    await f.store.close();
  });

  it('gives the same result on a worker as inline: pristine, tampered, wrong key', async () => {
    const cases = [
      { dir: pristine, keyFingerprint: fingerprint },
      { dir: tampered },
      { dir: pristine, keyFingerprint: '00'.repeat(32) },
    ];
    const oks: boolean[] = [];
    for (const input of cases) {
      const inline = await verifyEvidence(input);
      const worker = await verifyEvidence(input, { offThread: true });
      assert.deepEqual(worker, inline, input.dir);
      oks.push(inline.ok);
    }
    assert.deepEqual(oks, [true, false, false]);
  });

  it('off-thread, the caller\'s event loop runs while the package is verified', async () => {
    // Inline, the verifier runs synchronously inside the call, so a timer armed before it cannot
    // fire before the result; on a worker it fires while the worker reads the package.
    const order: string[] = [];
    const timer = new Promise<void>((r) => setTimeout(() => { order.push('timer'); r(); }, 0));
    const inline = verifyEvidence({ dir: pristine }).then(() => order.push('inline result'));
    await Promise.all([timer, inline]);
    assert.deepEqual(order, ['inline result', 'timer']);

    order.length = 0;
    const timer2 = new Promise<void>((r) => setTimeout(() => { order.push('timer'); r(); }, 0));
    const worker = verifyEvidence({ dir: pristine }, { offThread: true }).then(() => order.push('worker result'));
    await Promise.all([timer2, worker]);
    assert.deepEqual(order, ['timer', 'worker result']);
  });

  it('an aborted off-thread run rejects with InterruptedError, and an already aborted one starts no worker', async () => {
    const ac = new AbortController();
    const run = verifyEvidence({ dir: pristine }, { offThread: true, signal: ac.signal });
    ac.abort();
    await assert.rejects(run, InterruptedError);
    await assert.rejects(verifyEvidence({ dir: pristine }, { offThread: true, signal: ac.signal }), InterruptedError);
  });
});

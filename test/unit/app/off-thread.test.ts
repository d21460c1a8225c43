import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { withContext } from '../../../src/app/context.ts';
import { writeHashList } from '../../../src/app/decoy-hashes.ts';
import { buildDecoys } from '../../../src/app/decoys.ts';
import { InterruptedError } from '../../../src/app/errors.ts';
import { exportEvidence } from '../../../src/app/evidence.ts';
import { reviveError } from '../../../src/app/off-thread.ts';
import { verifyEvidence } from '../../../src/app/verify-evidence.ts';
import { loadSettings } from '../../../src/config/load.ts';
import { CounterseedError, InputError, NotFoundError } from '../../../src/domain/errors.ts';
import { EvidenceError } from '../../../src/evidence/errors.ts';
import { evidenceDataDir } from '../../../bench/lib/export-delay.ts';

/**
 * Issue 16 item 1: the long use cases (evidence export, hash list) run on a worker thread when a caller
 * asks ({ offThread: true }), with the same results and the same named errors as inline. The caller's
 * event-loop delay during an export of 100,000 records: bench/export-delay.bench.ts.
 */
const quiet = () => {};

describe('long use cases off the main thread', () => {
  it('an off-thread evidence export writes the package an inline one writes, and it verifies', async () => {
    const settings = await evidenceDataDir(1200);
    const root = join(settings.dataDir, '..');
    await withContext(settings, quiet, async (ctx) => {
      const inline = await exportEvidence(ctx, { out: join(root, 'inline'), filter: { ip: '198.18.0.11' } });
      const off = await exportEvidence(ctx, { out: join(root, 'off'), filter: { ip: '198.18.0.11' } }, { offThread: true });
      assert.equal(off.records, 1200);
      assert.deepEqual({ ...off, treeSize: 0 }, { ...inline, treeSize: 0 });
      assert.equal(readFileSync(join(root, 'off', 'records.ndjson'), 'utf8'), readFileSync(join(root, 'inline', 'records.ndjson'), 'utf8'));
      const v = await verifyEvidence({ dir: join(root, 'off'), keyFingerprint: off.fingerprint });
      assert.deepEqual([v.ok, v.facts.deliveries], [true, 1200]);
      // Errors cross the thread as the same named errors (exit codes, HTTP statuses).
      await assert.rejects(exportEvidence(ctx, { out: join(root, 'none'), filter: {}, caseName: 'no-such-case' }, { offThread: true }), NotFoundError);
      // Stopped: the worker is terminated and nothing it wrote is left.
      const stop = new AbortController();
      const r = exportEvidence(ctx, { out: join(root, 'stopped'), filter: { ip: '198.18.0.11' } }, { offThread: true, signal: stop.signal });
      stop.abort();
      await assert.rejects(r, InterruptedError);
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal(existsSync(join(root, 'stopped')), false);
    });
  });

  it('an off-thread hash list writes the inline one and reports progress', async () => {
    const root = mkdtempSync(join(tmpdir(), 'cs-offthread-'));
    const settings = loadSettings({ flags: { dataDir: join(root, 'data') }, env: {} });
    await withContext(settings, quiet, async (ctx) => {
      await buildDecoys(ctx, { rows: [{ line: 1, name: 'holiday-video-0042.mp4', size: 2_000_000 }, { line: 2, name: 'garden-party-0007.mp4', size: 2_100_000 }] });
      const inline = await writeHashList(ctx, { out: join(root, 'inline.csv') });
      const seen: number[] = [];
      const off = await writeHashList(ctx, { out: join(root, 'off.csv'), onProgress: (done) => { seen.push(done); } }, { offThread: true });
      assert.equal(off.decoys, 2);
      assert.equal(readFileSync(off.csv, 'utf8'), readFileSync(inline.csv, 'utf8'));
      assert.ok(seen.length > 0, 'progress crossed the thread');
      await assert.rejects(writeHashList(ctx, { out: join(root, 'no-such-dir', 'x.csv') }, { offThread: true }), (e) => e instanceof CounterseedError || (e as { code?: string }).code !== undefined);
    });
  });

  it('revives named errors, exit codes and OS error codes', () => {
    assert.ok(reviveError({ name: 'InputError', message: 'm' }) instanceof InputError);
    assert.ok(reviveError({ name: 'EvidenceError', message: 'm' }) instanceof EvidenceError);
    const other = reviveError({ name: 'MetainfoError', message: 'm', exitCode: 2 });
    assert.ok(other instanceof CounterseedError && other.exitCode === 2);
    assert.equal((reviveError({ name: 'Error', message: 'm', code: 'ENOSPC' }) as { code?: string }).code, 'ENOSPC');
  });
});

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { loadSettings } from '../../../src/config/load.ts';
import { openContext } from '../../../src/node/context.ts';
import { limitOldSpaceGrowth, oldSpaceGrowthApplied } from '../../../src/node/old-space-growth.ts';
import { startSeedNode } from '../../../src/node/seed-node.ts';

const MODULE = pathToFileURL(join(import.meta.dirname, '../../../src/node/old-space-growth.ts')).href;

/**
 * In a fresh process under bin/counterseed's 2 MB young generation: ~24 MB that stays, then short-lived
 * objects that each outlive a few young-generation collections, as an HTTP announce in flight does under
 * load (its socket, buffers and promises, ~2.4 KB): a ring of 4,096 graphs of ~2 KB (8 MB, more than the
 * 2 MB young generation holds), one replaced per step, so every graph is promoted and then dies. The
 * old space is measured from a full GC after the live part is built. (A ring of 256 died young: nothing
 * was promoted, and the old space grew only by chance, 4.5 MB in one CI run.) Returns how far the old space grew past its size before, MB.
 * --no-memory-reducer: V8's memory reducer sometimes holds growth back by itself for a while, which
 * would make the run without a bound pass or fail by chance.
 */
function oldSpaceGrowthMb(percent: number | undefined): number {
  const script = `
    import { getHeapSpaceStatistics } from 'node:v8';
    const old = () => getHeapSpaceStatistics().find((s) => s.space_name === 'old_space').space_size;
    ${percent === undefined ? '' : `(await import(${JSON.stringify(MODULE)})).limitOldSpaceGrowth(${percent});`}
    const live = Array.from({ length: 150_000 }, (_, i) => ({ i, name: 'holiday-video-' + i + '.mp4', pair: [i, i + 1] }));
    globalThis.gc();
    const kept = old();
    let peak = kept;
    const ring = new Array(4096);
    for (let t = 0; t < 150_000; t++) {
      ring[t % ring.length] = { t, parts: Array.from({ length: 20 }, (_, j) => ({ j, text: 'announce ' + t + ' ' + j })) };
      if (t % 250 === 0) peak = Math.max(peak, old());
    }
    console.log(JSON.stringify({ grewMb: (peak - kept) / 2 ** 20, live: live.length }));`;
  const out = execFileSync(process.execPath, ['--max-semi-space-size=2', '--no-memory-reducer', '--expose-gc', '--input-type=module', '-e', script], { encoding: 'utf8' });
  return (JSON.parse(out) as { grewMb: number }).grewMb;
}

// Issue 10 item 5: under load the announce round's promoted garbage swelled V8's old space from 14-20 MB
// after a full GC to 40-58 MB before the next (V8's growth factor goes up to 4x on a heap this size): the
// peak RSS of a node announcing 300,000 decoys (bench/README.md, announce-decoys).
test('with the bound, promoted garbage grows the old space by tens of MB, not the 100+ MB V8 allows by itself', () => {
  const free = oldSpaceGrowthMb(undefined);
  const bounded = oldSpaceGrowthMb(20);
  console.log(`# old space grew ${free.toFixed(1)} MB by V8's own factor, ${bounded.toFixed(1)} MB with a 20 % bound (~330 MB promoted)`);
  assert.ok(free > 80, `without a bound the workload grew the old space only ${free.toFixed(1)} MB: it no longer tests the bound`);
  assert.ok(bounded < 40, `with a 20 % bound the old space grew ${bounded.toFixed(1)} MB`);
});

test('a started seed node applies seed.oldSpaceGrowth (default 20 %)', async () => {
  for (const [flag, want] of [[undefined, 20], ['35', 35]] as const) {
    const data = mkdtempSync(join(tmpdir(), 'cs-old-space-'));
    const ctx = openContext(loadSettings({ flags: { dataDir: data, port: '0', ...(flag !== undefined && { oldSpaceGrowth: flag }) }, env: {} }), () => {});
    try {
      const node = await startSeedNode(ctx, { log: () => {} });
      await node.stop();
      assert.equal(oldSpaceGrowthApplied(), want);
    } finally {
      await ctx.close();
      rmSync(data, { recursive: true, force: true });
    }
  }
});

test('the bound is 0..300 percent; 0 leaves V8 its own factor', () => {
  assert.throws(() => limitOldSpaceGrowth(-1), /0\.\.300/);
  assert.throws(() => limitOldSpaceGrowth(301), /0\.\.300/);
  assert.throws(() => limitOldSpaceGrowth(2.5), /0\.\.300/);
  limitOldSpaceGrowth(0);
  assert.equal(oldSpaceGrowthApplied(), 0);
});

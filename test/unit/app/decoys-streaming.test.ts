import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { withContext } from '../../../src/app/context.ts';
import { buildDecoys, exportDecoys, type DecoyListRow } from '../../../src/app/decoys.ts';
import type { Context } from '../../../src/app/context.ts';
import { loadSettings } from '../../../src/config/load.ts';
import { NameListError } from '../../../src/decoy/errors.ts';
import type { DecoyQuery } from '../../../src/store/evidence-store.ts';

/**
 * Issue 15 item 13: `decoys build` and `decoys export` at 100,000 decoys peaked at 948 MB and 1.45 GB
 * because each held every decoy at once. Now the build stores slice by slice in one transaction and
 * the export reads a page at a time; these tests hold them to that (the figures: bench/decoys-memory.bench.ts).
 */
const N = 1_203; // three slices/pages of 500 and a partial one
const quiet = () => {};
const rows = (n: number, bad?: number): DecoyListRow[] => Array.from({ length: n }, (_, i) => ({
  line: i + 1, name: `holiday-video-${String(i).padStart(5, '0')}.mp4`, size: i === bad ? 10 : 2_000_000 + i, // 10 bytes: smaller than the video
}));
const fresh = () => {
  const root = mkdtempSync(join(tmpdir(), 'cs-stream-'));
  return { root, settings: loadSettings({ flags: { dataDir: join(root, 'data') }, env: {} }) };
};

/** Spies on the store: the largest slice added to an insert batch, whether the all-at-once insert ran, and every listing's limit. */
function spy(ctx: Context) {
  const seen = { maxSlice: 0, slices: 0, wholeInsert: 0, listLimits: [] as (number | undefined)[], maxPage: 0 };
  const files = ctx.decoyFiles;
  const begin = files.begin.bind(files);
  files.begin = (now, first) => {
    const b = begin(now, first);
    return { ...b, add: (built) => { seen.slices++; seen.maxSlice = Math.max(seen.maxSlice, built.length); return b.add(built); } };
  };
  const insert = files.insert.bind(files);
  files.insert = (...a) => { seen.wholeInsert++; return insert(...a); };
  const list = ctx.store.listDecoys.bind(ctx.store);
  ctx.store.listDecoys = async (q?: DecoyQuery) => { seen.listLimits.push(q?.limit); const r = await list(q); seen.maxPage = Math.max(seen.maxPage, r.length); return r; };
  return seen;
}

describe('decoys build and export stream (issue 15 item 13)', () => {
  it('build stores slice by slice and export writes page by page; every decoy is exported once', async () => {
    const { root, settings } = fresh();
    await withContext(settings, quiet, async (ctx) => {
      const seen = spy(ctx);
      assert.equal((await buildDecoys(ctx, { rows: rows(N) })).built, N);
      assert.deepEqual([seen.wholeInsert, seen.slices, seen.maxSlice], [0, 3, 500], 'three slices of at most 500, no insert of all');
      const out = join(root, 'torrents');
      assert.deepEqual(await exportDecoys(ctx, { dir: out, trackers: [], peers: [] }), { written: N });
      assert.ok(seen.listLimits.length >= 3 && seen.listLimits.every((l) => l !== undefined && l <= 500), `pages: ${JSON.stringify(seen.listLimits)}`);
      assert.ok(seen.maxPage <= 500);
      const torrents = readdirSync(out).filter((f) => f.endsWith('.torrent'));
      assert.equal(torrents.length, N);
      const magnets = readFileSync(join(out, 'magnets.txt'), 'utf8').trimEnd().split('\n');
      assert.equal(magnets.length, N);
      assert.equal(new Set(magnets).size, N);
      assert.deepEqual(new Set(magnets.map((m) => /xt=urn:btih:([0-9a-f]{40})/.exec(m)![1] + '.torrent')), new Set(torrents));
      assert.ok(!readdirSync(out).some((f) => f.endsWith('.part')));
    });
  });

  it('still all or nothing: a bad row in the last slice, or a signal mid-build, stores nothing', async () => {
    const { settings } = fresh();
    await withContext(settings, quiet, async (ctx) => {
      const seen = spy(ctx);
      await assert.rejects(buildDecoys(ctx, { rows: rows(N, N - 2) }), (e) => e instanceof NameListError && e.issues.length === 1 && e.issues[0]!.line === N - 1);
      assert.equal(seen.slices, 2, 'the slices before the bad one went into the transaction...');
      assert.equal((await ctx.store.listDecoys()).length, 0, '...and were rolled back');
      const stop = new AbortController();
      const r = buildDecoys(ctx, { rows: rows(N), onProgress: (done) => { if (done > 600) stop.abort(new Error('stopped')); }, signal: stop.signal });
      await assert.rejects(r, /stopped/);
      assert.ok(seen.slices >= 3, 'a slice was stored before the signal');
      assert.equal((await ctx.store.listDecoys()).length, 0);
      // The store is usable afterwards: the batch's transaction is closed.
      assert.equal((await buildDecoys(ctx, { rows: rows(3) })).built, 3);
      assert.equal((await ctx.store.listDecoys()).length, 3);
    });
  });
});

import assert from 'node:assert/strict';
import { it } from 'node:test';
import { cycles, edgeFiles, fileEdges, folderGraph } from '../../../scripts/import-graph.ts';

/**
 * Folder loops the code still has, each with the issue that removes it. Only an exact match
 * is allowed: a new folder joining one of these loops fails the test too.
 */
const ALLOWED: readonly (readonly string[])[] = [
  // None left: the evidence <-> store loop went with the store contract (evidence/log-store.ts is the
  // port evidence/ declares and every store implements).
];

it('no import cycles between the top-level folders of src/ (scripts/import-graph.ts)', () => {
  const edges = fileEdges();
  assert.ok(edges.length > 500, `expected the whole of src/, got ${edges.length} imports`);
  const found = cycles(folderGraph(edges));
  const unexpected = found.filter((c) => !ALLOWED.some((a) => a.join() === c.join()));
  const explain = unexpected.map((c) => `${c.join(' <-> ')}:\n${c.flatMap((a) => c.flatMap((b) => (a === b ? [] : edgeFiles(edges, a, b)))).map((f) => `  ${f}`).join('\n')}`);
  assert.deepEqual(explain, []);
});

it('src/store/sqlite imports nothing from campaign, decoy or payload (their shared types are in src/domain)', () => {
  const edges = fileEdges();
  const split = folderGraph(edges, ['store/sqlite']);
  const up = [...split.get('store/sqlite')?.keys() ?? []].filter((f) => ['campaign', 'decoy', 'payload'].includes(f));
  assert.deepEqual(up.flatMap((f) => edgeFiles(edges, 'store/sqlite', f, ['store/sqlite'])), []);
});

it('the cycle finder finds a loop through three folders and ignores a chain', () => {
  const g = (pairs: [string, string][]) => folderGraph(pairs.map(([a, b]) => ({ from: `${a}/x.ts`, to: `${b}/y.ts` })));
  assert.deepEqual(cycles(g([['a', 'b'], ['b', 'c'], ['c', 'a'], ['c', 'd']])), [['a', 'b', 'c']]);
  assert.deepEqual(cycles(g([['a', 'b'], ['b', 'c'], ['a', 'c']])), []);
});

it('the CLI is thin: src/cli imports app/, config/ and domain/ only (and evidence/errors.ts for the exit-code table)', () => {
  // serve is the one command that loads the web skin (an edge like cli/, over the same app/ use cases).
  const allowed = (to: string) => /^(app|config|domain|cli)\//.test(to) || to === 'evidence/errors.ts' || to === 'web/serve.ts';
  const bad = fileEdges().filter((e) => e.from.startsWith('cli/') && !allowed(e.to)).map((e) => `${e.from} -> ${e.to}`);
  assert.deepEqual(bad, []);
});

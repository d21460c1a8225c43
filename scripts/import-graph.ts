/**
 * The import graph between the top-level folders of src/ (issue 16 §5), and between
 * src/store/sqlite and the rest. Every import counts, `import type` and `import()` too:
 * a type-only import is still a dependency a reader has to follow.
 *
 *   node scripts/import-graph.ts          prints the graph and any cycles (exit 1 if there are)
 *
 * test/unit/app/import-graph.test.ts runs the same functions and fails on a cycle.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const SRC = resolve(import.meta.dirname, '..', 'src');

/** Static `import … from '…'`, `export … from '…'`, bare `import '…'` and dynamic `import('…')`. */
const IMPORT_RE = /(?:^|[\s;])(?:import|export)\s[^'"`;]*?from\s*['"]([^'"]+)['"]|(?:^|[\s;])import\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

/** One import between two files, as paths relative to src/ ("cli/commands/lab.ts"). */
export interface FileEdge { readonly from: string; readonly to: string }

function* sourceFiles(dir: string): Generator<string> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* sourceFiles(p);
    else if (/\.(ts|mts|mjs|js)$/.test(e.name) && !e.name.endsWith('.d.ts')) yield p;
  }
}

/** Every relative import of every file under src/; imports leaving src/ are kept as "../<path>". */
export function fileEdges(src: string = SRC): FileEdge[] {
  const edges: FileEdge[] = [];
  for (const file of sourceFiles(src)) {
    // Comments may quote import lines (as this file's header does); strip them first.
    const text = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
    for (const m of text.matchAll(IMPORT_RE)) {
      const spec = m[1] ?? m[2] ?? m[3]!;
      if (!spec.startsWith('.')) continue; // node: built-ins and npm packages
      edges.push({ from: relative(src, file).split(sep).join('/'), to: relative(src, resolve(dirname(file), spec)).split(sep).join('/') });
    }
  }
  return edges;
}

/** A file's group: its top-level folder under src/ ("evidence"), or with `split`, a deeper folder named there ("store/sqlite"). */
export function groupOf(path: string, split: readonly string[] = []): string {
  if (path.startsWith('../')) return `(outside src) ${path.replace(/^(\.\.\/)+/, '').split('/')[0]}`;
  for (const s of split) if (path === s || path.startsWith(`${s}/`)) return s;
  const parts = path.split('/');
  return parts.length === 1 ? '(src root)' : parts[0]!;
}

/** Folder -> folders it imports from, with how many imports make up each edge. */
export type FolderGraph = Map<string, Map<string, number>>;

export function folderGraph(edges: readonly FileEdge[], split: readonly string[] = []): FolderGraph {
  const g: FolderGraph = new Map();
  for (const e of edges) {
    const a = groupOf(e.from, split);
    const b = groupOf(e.to, split);
    if (!g.has(a)) g.set(a, new Map());
    if (a === b) continue;
    const out = g.get(a)!;
    out.set(b, (out.get(b) ?? 0) + 1);
  }
  return g;
}

/**
 * The strongly connected components with more than one folder (Tarjan's algorithm):
 * each is a set of folders that import each other in a loop.
 */
export function cycles(g: FolderGraph): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next); low.set(v, next); next++;
    stack.push(v); onStack.add(v);
    for (const w of g.get(v)?.keys() ?? []) {
      if (!index.has(w)) { visit(w); low.set(v, Math.min(low.get(v)!, low.get(w)!)); }
      else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do { w = stack.pop()!; onStack.delete(w); scc.push(w); } while (w !== v);
      if (scc.length > 1) found.push(scc.sort());
    }
  };
  for (const v of [...g.keys()].sort()) if (!index.has(v)) visit(v);
  return found;
}

/** The files behind one folder edge, for a message that says what to move. */
export function edgeFiles(edges: readonly FileEdge[], from: string, to: string, split: readonly string[] = []): string[] {
  return [...new Set(edges.filter((e) => groupOf(e.from, split) === from && groupOf(e.to, split) === to).map((e) => `${e.from} -> ${e.to}`))].sort();
}

export function formatGraph(g: FolderGraph): string {
  return [...g.keys()].sort().map((a) => {
    const out = [...g.get(a)!].sort(([x], [y]) => x.localeCompare(y)).map(([b, n]) => `${b} (${n})`);
    return `  ${a.padEnd(14)} -> ${out.length ? out.join(', ') : '(nothing)'}`;
  }).join('\n');
}

if (import.meta.main) {
  const edges = fileEdges();
  const top = folderGraph(edges);
  const split = folderGraph(edges, ['store/sqlite']);
  const lines = ['top-level folders of src/ (imports per edge):', formatGraph(top), '',
    'store/sqlite and the rest:',
    `  store/sqlite imports: ${[...split.get('store/sqlite') ?? []].map(([b, n]) => `${b} (${n})`).join(', ')}`,
    `  imported by: ${[...split].filter(([, out]) => out.has('store/sqlite')).map(([a, out]) => `${a} (${out.get('store/sqlite')})`).join(', ')}`, ''];
  const found = cycles(top);
  if (found.length === 0) lines.push('no cycles between top-level folders');
  for (const c of found) {
    lines.push(`cycle: ${c.join(' <-> ')}`);
    for (const a of c) for (const b of c) if (a !== b) for (const f of edgeFiles(edges, a, b)) lines.push(`    ${f}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  process.exitCode = found.length === 0 ? 0 : 1;
}

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import jsonld from 'jsonld';
import { DataFactory, Parser, Store, type Quad, type Term } from 'n3';
import { QueryEngine } from '@comunica/query-sparql-rdfjs-lite';
import { Validator } from 'shacl-engine';

/**
 * Validates CASE/UCO JSON-LD the way the CASE community's validator (case_validate from
 * case-utils) judges a file: the ontology is both the shapes graph and part of the data graph (so
 * rdfs:subClassOf chains and sh:class checks see the class hierarchy), no inference, SPARQL-based
 * constraints included, and a warning counts as a failure like a violation. Offline: the
 * ontology is read from the vendored Turtle files under test/fixtures/ontology/ (see SOURCE.md
 * there) and JSON-LD contexts are never fetched.
 */

const ONTOLOGY_DIR = new URL('../fixtures/ontology/', import.meta.url);
const SH = 'http://www.w3.org/ns/shacl#';

export interface ShaclFinding { readonly severity: 'Violation' | 'Warning' | 'Info'; readonly focus: string; readonly component: string; readonly path: string; readonly message: string }

let ontology: Quad[] | undefined;

/** Every quad of the vendored CASE 1.4.0 and UCO 1.4.0 Turtle files (parsed once per process). */
export function ontologyQuads(): Quad[] {
  if (ontology) return ontology;
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.ttl')) files.push(p);
    }
  };
  walk(ONTOLOGY_DIR.pathname);
  if (files.length < 20) throw new Error(`expected the CASE and UCO Turtle files under ${ONTOLOGY_DIR.pathname}, found ${files.length}`);
  ontology = files.flatMap((f) => new Parser({ format: 'text/turtle' }).parse(readFileSync(f, 'utf8')));
  return ontology;
}

const noNetwork = (url: string): Promise<never> => Promise.reject(new Error(`JSON-LD wanted to load ${url}: the conformance check runs offline`));

/** The RDF quads of a JSON-LD text (its context must be inline). */
export async function jsonLdQuads(text: string): Promise<Quad[]> {
  // safe: a term the context does not define is an error instead of being dropped silently.
  const nquads = await jsonld.toRDF(JSON.parse(text) as object, { format: 'application/n-quads', documentLoader: noNetwork, safe: true });
  return new Parser({ format: 'application/n-quads' }).parse(nquads);
}

const factory = { ...DataFactory, dataset: (quads?: Quad[]) => new Store(quads) };

/**
 * SHACL-SPARQL constraints (SHACL §5), evaluated once per constraint and data graph instead of
 * once per focus node. shacl-engine 1.1.2's own plugin reads only one query per shape (UCO's
 * owl.ttl has shapes with two, which then reported every focus node) and starts a query engine
 * per focus node (150 s for the ontology alone on this machine; 1-2 s CPU here).
 *
 * §5.3.1 pre-binds $this to the focus node, which for these queries equals running the query with
 * $this free and keeping the rows whose $this is the focus node: each of them mentions $this in
 * its WHERE pattern and uses no OPTIONAL, MINUS, VALUES, BIND, sub-select or LIMIT (refused below),
 * and where one groups (GROUP BY ... HAVING) $this is added to the grouping so each focus node
 * keeps its own groups.
 */
const engine = new QueryEngine();
const SPARQL_COMPONENT = DataFactory.namedNode(`${SH}SPARQLConstraintComponent`);
const UNSUPPORTED = /\b(OPTIONAL|MINUS|VALUES|BIND|LIMIT|OFFSET)\b|\{\s*SELECT\b/i;

interface Ptr { readonly term: Term; readonly terms: Term[]; readonly dataset: Store; out(p: Term[]): Ptr; node(t: Term[]): Ptr; [Symbol.iterator](): Iterator<Ptr> }
interface EngineContext { readonly focusNode: Ptr; violation(component: Term, o: { message: Term[]; source: Term[]; value: Ptr; args: Record<string, Term> }): void }
type Row = Map<string, Term>;

/** Comunica hands a source's blank node back scoped ("bc_0_" + the store's label): the store's own term, so rows meet focus nodes. */
const unscope = (t: Term): Term => (t.termType === 'BlankNode' ? DataFactory.blankNode(t.value.replace(/^bc_\d+_/, '')) : t);
const key = (t: Term) => `${t.termType}:${t.value}`;

function compileSparql(shape: { sparql: Ptr }): { generic: (ctx: EngineContext) => Promise<void> } {
  const constraints = [...shape.sparql].map((c) => {
    const text = c.out([DataFactory.namedNode(`${SH}select`)]).terms[0]?.value;
    if (!text) throw new Error('an sh:sparql constraint without sh:select');
    if (UNSUPPORTED.test(text) || !/\$this\b/.test(text.slice(text.search(/\bWHERE\b/i)))) throw new Error(`this helper cannot evaluate the constraint unbound:\n${text}`);
    // UCO and CASE write their PREFIX lines inside each query; sh:prefixes (unused there) is refused loudly.
    if (c.out([DataFactory.namedNode(`${SH}prefixes`)]).terms.length > 0) throw new Error('sh:prefixes is not supported by this helper');
    const select = text.replace(/\bGROUP\s+BY\b/i, 'GROUP BY $this');
    return { select, source: c.terms, message: c.out([DataFactory.namedNode(`${SH}message`)]).terms, rows: new WeakMap<Store, Promise<Map<string, Row[]>>>() };
  });
  const rowsByFocus = async (c: (typeof constraints)[number], data: Store) => {
    let byFocus = c.rows.get(data);
    if (!byFocus) {
      byFocus = (async () => {
        const m = new Map<string, Row[]>();
        // n3.Store is an RDF/JS DatasetCore; the local declaration of n3 does not spell out the @rdfjs/types it satisfies.
        const stream = await engine.queryBindings(c.select, { sources: [data as never] });
        for (const b of await stream.toArray()) {
          const row: Row = new Map();
          for (const [k, v] of b) row.set(k.value, unscope(v as Term));
          const focus = row.get('this');
          if (!focus) throw new Error(`a row without $this from:\n${c.select}`);
          m.set(key(focus), [...(m.get(key(focus)) ?? []), row]);
        }
        return m;
      })();
      c.rows.set(data, byFocus);
    }
    return byFocus;
  };
  return {
    generic: async (ctx) => {
      for (const c of constraints) {
        for (const row of (await rowsByFocus(c, ctx.focusNode.dataset)).get(key(ctx.focusNode.term)) ?? []) {
          const value = row.get('value');
          ctx.violation(SPARQL_COMPONENT, { args: Object.fromEntries(row), message: c.message, source: c.source, value: ctx.focusNode.node([value ?? ctx.focusNode.term]) });
        }
      }
    },
  };
}

let validator: Validator | undefined;

/** The SHACL results for these data quads, judged against CASE/UCO 1.4.0 with the ontology merged into the data graph. */
export async function validateCaseQuads(data: Quad[]): Promise<ShaclFinding[]> {
  const shapes = ontologyQuads();
  validator ??= new Validator(new Store(shapes), { factory, validations: new Map([[DataFactory.namedNode(`${SH}sparql`), compileSparql]]) });
  const report = await validator.validate({ dataset: new Store([...shapes, ...data]) });
  const local = (t: { value: string } | undefined) => (t?.value ?? '').replace(SH, 'sh:');
  return report.results.map((r) => ({
    severity: local(r.severity).replace('sh:', '') as ShaclFinding['severity'],
    focus: r.focusNode.terms.map((t) => t.value).join(' '),
    component: local(r.constraintComponent),
    path: r.path === undefined ? '' : JSON.stringify(r.path, (k, v: unknown) => (k === 'dataset' ? undefined : v as unknown)).slice(0, 200),
    message: r.message.map((m) => m.value).join(' '),
  }));
}

// The few parts of n3, jsonld and shacl-engine (dev dependencies, plain JavaScript without
// bundled types) that test/helpers/case-shacl.ts uses.
declare module 'n3' {
  export interface Term { readonly termType: string; readonly value: string; equals(other: Term | null | undefined): boolean }
  export interface Quad { readonly subject: Term; readonly predicate: Term; readonly object: Term; readonly graph: Term }
  export class Store {
    constructor(quads?: Quad[]);
    readonly size: number;
    addQuads(quads: Quad[]): void;
    add(q: Quad): this;
    delete(q: Quad): this;
    has(q: Quad): boolean;
    [Symbol.iterator](): Iterator<Quad>;
    match(s?: Term | null, p?: Term | null, o?: Term | null, g?: Term | null): Store;
    getSubjects(p: Term | string | null, o: Term | string | null, g: Term | string | null): Term[];
  }
  export class Parser { constructor(options?: { format?: string; baseIRI?: string }); parse(text: string): Quad[] }
  export const DataFactory: {
    namedNode(iri: string): Term; blankNode(name?: string): Term; literal(v: string, langOrType?: string | Term): Term;
    variable(name: string): Term; defaultGraph(): Term; quad(s: Term, p: Term, o: Term, g?: Term): Quad;
  };
}
declare module 'jsonld' {
  const jsonld: {
    toRDF(doc: object, options: { format: 'application/n-quads'; documentLoader: (url: string) => Promise<never>; safe?: boolean }): Promise<string>;
  };
  export default jsonld;
}
declare module 'shacl-engine' {
  import type { Store, Term } from 'n3';
  export interface ValidationResult {
    readonly severity: Term;
    readonly focusNode: { readonly terms: Term[] };
    readonly path?: unknown;
    readonly constraintComponent: Term;
    readonly message: Term[];
    readonly value?: { readonly term?: Term } | null;
    readonly shape: { readonly ptr: { readonly terms: Term[] } };
  }
  export class Validator {
    constructor(shapes: Store, options: { factory: object; validations?: Map<Term, (shape: never) => unknown> });
    validate(data: { dataset: Store }): Promise<{ readonly conforms: boolean; readonly results: ValidationResult[] }>;
  }
}
declare module 'shacl-engine/sparql.js' {
  export const validations: unknown;
  export const targetResolvers: unknown;
}

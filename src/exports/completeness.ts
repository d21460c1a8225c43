import { indexLeafHash } from '../evidence/audit.ts';
import type { CheckpointBody } from '../evidence/checkpoint.ts';
import { EvidenceError } from '../evidence/errors.ts';
import { inclusionProofs } from '../evidence/inclusion-proofs.ts';
import { ACC_ZERO, accStep, decoyKey, ipKey, type IndexLeaf } from '../evidence/key-index.ts';
import type { EvidenceLogTable, LogFilter, LogLink } from '../store/sqlite/evidence-log.ts';
import { ExportError } from './errors.ts';

/** A leaf of the key index with its RFC 9162 inclusion path in the checkpoint's index tree. */
interface ProvenLeaf { readonly leaf: { acc: string; count: number; key: string }; readonly index: number; readonly path: string[] }

/**
 * completeness.json (docs/completeness.md): for the selected key, either its leaf in the signed
 * index with the links (seq, at, hash) of its records outside the time window, so that the
 * verifier can recompute the leaf's accumulator from those and the records in the package; or,
 * for a key with no records, the neighbouring leaves that prove it is absent.
 */
export interface CompletenessProof {
  readonly key: string;
  readonly tree_size: number;
  readonly index: string;
  readonly index_size: number;
  readonly window: { readonly from: number | null; readonly to: number | null };
  readonly leaf: ProvenLeaf | null;
  /** Seqs of the key's records in the window: every one is in records.ndjson. */
  readonly inside: number[];
  /** [seq, at, hash] of the key's records outside the window. */
  readonly outside: [number, number, string][];
  /** For an absent key: the leaves just before and after where it would be (0 to 2). */
  readonly neighbours: ProvenLeaf[];
}

/** The key a filter selects by, when it selects by exactly one of ip and decoy (the selections a proof covers). */
export function selectionKey(f: LogFilter): string | undefined {
  if (f.kinds && f.kinds.length > 0) return undefined;
  if (f.ip !== undefined && f.decoyId === undefined) {
    const k = ipKey(f.ip);
    if (!k) throw new ExportError(`not an IP address: ${f.ip}`);
    return k;
  }
  if (f.decoyId !== undefined && f.ip === undefined) return decoyKey(f.decoyId);
  return undefined;
}

/**
 * The records of `key` in the filter's time window, found through the key index, not through the
 * rows' filter columns: a row edited or deleted after it was chained stays selected, and its
 * derivation from the row then fails with its record number. The index is checked against the
 * checkpoint first: its leaves must hash to the signed root, and the key's record list must
 * reproduce the leaf's count and accumulator with the hashes in the chain.
 */
export function selectByKey(table: EvidenceLogTable, cp: CheckpointBody, key: string, f: LogFilter, max: number): { links: LogLink[]; proof: CompletenessProof } {
  if (cp.index === undefined || cp.index_size === undefined) throw new EvidenceError('the checkpoint has no key index');
  const index = table.index;
  const stored = index.get(key);
  const pos = index.position(key);
  const size = cp.index_size;
  const wanted = stored ? [pos] : [pos - 1, pos].filter((i) => i >= 0 && i < size);
  const leaves: IndexLeaf[] = [];
  const tree = inclusionProofs((function* () {
    let i = 0;
    for (const l of index.leaves()) { if (wanted.includes(i)) leaves.push(l); i++; yield indexLeafHash(l); }
  })(), size, wanted);
  if (tree.root.toString('hex') !== cp.index) throw new EvidenceError('the key index in the database no longer matches the root signed in the checkpoint: it was edited');
  const proven = (l: IndexLeaf, i: number): ProvenLeaf => ({
    leaf: { acc: l.acc.toString('hex'), count: l.count, key: l.key }, index: i, path: tree.proofs.get(i)!.map((h) => h.toString('hex')),
  });
  const window = { from: f.from ?? null, to: f.to ?? null };
  const base = { key, tree_size: cp.tree_size, index: cp.index, index_size: size, window };
  if (!stored) return { links: [], proof: { ...base, leaf: null, inside: [], outside: [], neighbours: leaves.map((l, k) => proven(l, wanted[k]!)) } };

  const records = index.records(stored.id);
  const links = table.linksAt(records.map(([seq]) => seq));
  let acc = ACC_ZERO;
  records.forEach(([seq, at], i) => { acc = accStep(acc, seq, at, links[i]!.hash); });
  if (records.length !== stored.count || !acc.equals(stored.acc)) {
    throw new EvidenceError(`the key index's record list for ${key} no longer reproduces its signed count and accumulator: it was edited`);
  }
  const inWindow = (at: number) => (f.from === undefined || at >= f.from) && (f.to === undefined || at < f.to);
  const inside: LogLink[] = [];
  const outside: [number, number, string][] = [];
  records.forEach(([seq, at], i) => {
    if (inWindow(at)) inside.push(links[i]!);
    else outside.push([seq, at, links[i]!.hash.toString('hex')]);
  });
  if (inside.length > max) throw new ExportError(`more than ${max} records match; narrow the selection with --from/--to`);
  return { links: inside, proof: { ...base, leaf: proven(stored, pos), inside: inside.map((l) => l.seq), outside, neighbours: [] } };
}

import type { InclusionProofs } from './inclusion-proofs.ts';
import { nodeHash } from './merkle.ts';

/**
 * RFC 9162 section 2.1.4 consistency proofs: the tree of `m` leaves is a prefix of the tree of
 * `size` leaves. Made from an inclusion pass (inclusion-proofs.ts) instead of a second recursion:
 * with t the number of trailing zero bits of m, the subtree K = [m - 2^t, m) is the smallest
 * perfect subtree of the old tree's right edge, and PROOF(m, D[size]) is K's hash (left out when m
 * is a power of two: it is then the old root itself) followed by the inclusion path of leaf m - 1
 * above level t. The first t entries of that path are the left siblings inside K. The consistency
 * test checks this against the RFC's recursive SUBPROOF.
 */
export function consistencyNeeds(m: number): { leaf: number; node: [level: number, pos: number] } {
  if (!Number.isSafeInteger(m) || m < 1) throw new RangeError(`no consistency proof from a tree of ${m} leaves`);
  const t = trailingZeros(m);
  return { leaf: m - 1, node: [t, m / 2 ** t - 1] };
}

export function consistencyProof(tree: InclusionProofs, m: number, size: number): Buffer[] {
  if (m > size) throw new RangeError(`tree of ${m} leaves is not a prefix of one of ${size}`);
  if (m === size) return [];
  const { leaf, node } = consistencyNeeds(m);
  const path = tree.proofs.get(leaf);
  const k = tree.node(node[0], node[1]);
  if (!path || !k) throw new RangeError(`the inclusion pass was not asked for leaf ${leaf} and node ${node.join(',')}`);
  const above = path.slice(node[0]);
  return m / 2 ** node[0] === 1 ? above : [k, ...above];
}

/** RFC 9162 section 2.1.4.2, step by step (as verifier/verify.mjs does it). */
export function verifyConsistency(first: number, second: number, proof: readonly Buffer[], firstRoot: Buffer, secondRoot: Buffer): boolean {
  if (!Number.isSafeInteger(first) || !Number.isSafeInteger(second) || first < 1 || first > second) return false;
  if (first === second) return proof.length === 0 && firstRoot.equals(secondRoot);
  const path = first / 2 ** trailingZeros(first) === 1 ? [firstRoot, ...proof] : [...proof];
  if (path.length === 0) return false;
  let fn = first - 1;
  let sn = second - 1;
  while (fn % 2 === 1) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
  let fr = path[0]!;
  let sr = path[0]!;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (fn % 2 === 0) while (fn % 2 === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && fr.equals(firstRoot) && sr.equals(secondRoot);
}

function trailingZeros(m: number): number {
  let t = 0;
  for (let x = m; x % 2 === 0; x /= 2) t++;
  return t;
}

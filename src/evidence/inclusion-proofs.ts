import { EMPTY_ROOT, nodeHash } from './merkle.ts';

/**
 * RFC 9162 inclusion proofs for some leaves of a large tree, in one streaming pass over the leaf
 * hashes: memory is O(k log n) for k proofs at most (the distinct nodes they need), not O(n) (an export from a log of millions of records
 * must not hold every leaf and level). Same tree shape as MerkleLevels: a level's unpaired last node
 * is carried up unchanged, which is the RFC's largest-power-of-two split.
 *
 * Nodes are named (level, position). A node whose leaves are all present is a perfect subtree and is
 * met during the pass; the last node of a level may be imperfect (its range runs to the end of the
 * tree) and is folded at the end from the perfect roots that cover its range.
 */
export interface InclusionProofs {
  readonly root: Buffer;
  /** PATH(m) for each index asked for (leaf-to-root order), built when asked: only the distinct nodes are kept. */
  readonly proofs: { get(m: number): Buffer[] | undefined };
  /** The hash of a node asked for in `nodes` (level 0 = leaves; pos = index within the level). */
  node(level: number, pos: number): Buffer | undefined;
}

export function inclusionProofs(leaves: Iterable<Buffer>, size: number, indices: readonly number[], nodes: readonly (readonly [level: number, pos: number])[] = []): InclusionProofs {
  if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`bad tree size ${size}`);
  for (const m of indices) if (!Number.isInteger(m) || m < 0 || m >= size) throw new RangeError(`leaf ${m} not in tree of size ${size}`);

  // Level sizes and the sibling each proof needs at each level.
  const levelSize: number[] = [size];
  while (levelSize[levelSize.length - 1]! > 1) levelSize.push(Math.ceil(levelSize[levelSize.length - 1]! / 2));
  const key = (level: number, pos: number) => level * 2 ** 40 + pos;
  const needed = new Map<number, Buffer | undefined>();
  // Plain arithmetic (no bit operators): positions past 2^31 must not wrap.
  const siblings = function* (m: number): Generator<number> {
    for (let l = 0, i = m; l < levelSize.length - 1; l++, i = Math.floor(i / 2)) {
      const sib = i % 2 === 0 ? i + 1 : i - 1;
      if (sib < levelSize[l]!) yield key(l, sib);
    }
  };
  for (const m of indices) for (const k of siblings(m)) needed.set(k, undefined);
  for (const [l, p] of nodes) {
    if (l >= levelSize.length || p >= levelSize[l]!) throw new RangeError(`node (${l}, ${p}) not in tree of size ${size}`);
    needed.set(key(l, p), undefined);
  }

  // The pass: perfect subtree roots, merged as leaves arrive (a binary counter).
  const stack: { level: number; start: number; hash: Buffer }[] = [];
  let n = 0;
  for (const leaf of leaves) {
    if (n >= size) break;
    let top = { level: 0, start: n, hash: leaf };
    // A copy: a leaf may be a view of a larger buffer (a run of hashes), which must not be kept alive.
    if (needed.has(key(0, n))) needed.set(key(0, n), Buffer.from(leaf));
    while (stack.length > 0 && stack[stack.length - 1]!.level === top.level) {
      const left = stack.pop()!;
      top = { level: top.level + 1, start: left.start, hash: nodeHash(left.hash, top.hash) };
      const k = key(top.level, top.start / 2 ** top.level);
      if (needed.has(k)) needed.set(k, top.hash);
    }
    stack.push(top);
    n++;
  }
  if (n !== size) throw new RangeError(`expected ${size} leaves, read ${n}`);

  // Imperfect nodes (the last of their level): fold the perfect roots that lie in their range.
  const foldFrom = (start: number): Buffer => {
    const inRange = stack.filter((s) => s.start >= start);
    let r = inRange[inRange.length - 1]!.hash;
    for (let i = inRange.length - 2; i >= 0; i--) r = nodeHash(inRange[i]!.hash, r);
    return r;
  };
  for (const [k, v] of needed) {
    if (v !== undefined) continue;
    const level = Math.floor(k / 2 ** 40);
    const pos = k - level * 2 ** 40;
    needed.set(k, foldFrom(pos * 2 ** level));
  }
  const root = size === 0 ? EMPTY_ROOT : foldFrom(0);
  const wanted = new Set(indices);
  return { root, proofs: { get: (m) => (wanted.has(m) ? [...siblings(m)].map((k) => needed.get(k)!) : undefined) }, node: (l, p) => needed.get(key(l, p)) };
}

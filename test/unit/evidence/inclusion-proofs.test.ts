import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { it } from 'node:test';
import { inclusionProofs } from '../../../src/evidence/inclusion-proofs.ts';
import { EMPTY_ROOT, leafHash, MerkleLevels, verifyInclusion } from '../../../src/evidence/merkle.ts';

const leavesOf = (n: number) => Array.from({ length: n }, (_, i) => leafHash(createHash('sha256').update(String(i)).digest()));

it('streaming inclusion proofs equal the all-levels tree for every size up to 70 and every leaf', () => {
  for (let n = 1; n <= 70; n++) {
    const leaves = leavesOf(n);
    const full = new MerkleLevels(leaves);
    const all = Array.from({ length: n }, (_, i) => i);
    const { root, proofs } = inclusionProofs(leaves, n, all);
    assert.ok(root.equals(full.root()), `root, n=${n}`);
    for (const m of all) {
      assert.deepEqual(proofs.get(m), full.inclusionProof(m), `proof of ${m} in ${n}`);
      assert.ok(verifyInclusion(leaves[m]!, m, n, proofs.get(m)!, root));
    }
  }
});

it('a few proofs in a larger tree, leaves read once from an iterator', () => {
  const n = 100_003;
  const leaves = leavesOf(n);
  let reads = 0;
  function* stream() { for (const l of leaves) { reads++; yield l; } }
  const picks = [0, 1, 4095, 65_536, 99_999, n - 1];
  const { root, proofs } = inclusionProofs(stream(), n, picks);
  assert.equal(reads, n);
  const full = new MerkleLevels(leaves);
  assert.ok(root.equals(full.root()));
  for (const m of picks) assert.deepEqual(proofs.get(m), full.inclusionProof(m));
});

it('refuses indices outside the tree and a short leaf stream; the empty tree has the empty root', () => {
  assert.throws(() => inclusionProofs(leavesOf(3), 3, [3]), /not in tree/);
  assert.throws(() => inclusionProofs(leavesOf(3), 4, [0]), /expected 4 leaves, read 3/);
  assert.ok(inclusionProofs([], 0, []).root.equals(EMPTY_ROOT));
});

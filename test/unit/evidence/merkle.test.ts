import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { FrontierStack } from '../../../src/evidence/chain/frontier-stack.ts';
import { emptyFrontier, frontierFromBytes, frontierRoot, frontierToBytes, leafHash, MerkleLevels, nodeHash, verifyInclusion } from '../../../src/evidence/merkle.ts';
import { verifyInclusion as verifierInclusion } from '../../../verifier/verify.mjs';

/** RFC 9162 section 2.1.1 MTH, written literally (recursive split at the largest power of two < n). */
function mth(leaves: Buffer[]): Buffer {
  if (leaves.length === 0) return createHash('sha256').digest();
  if (leaves.length === 1) return leaves[0]!;
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return nodeHash(mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}

/** RFC 9162 section 2.1.3.1 PATH(m, D[n]), literally. */
function path(m: number, leaves: Buffer[]): Buffer[] {
  if (leaves.length <= 1) return [];
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return m < k ? [...path(m, leaves.slice(0, k)), mth(leaves.slice(k))] : [...path(m - k, leaves.slice(k)), mth(leaves.slice(0, k))];
}

const leaves = (n: number) => Array.from({ length: n }, (_, i) => leafHash(Buffer.from(`record ${i}`)));

describe('RFC 9162 Merkle tree', () => {
  it('leaf and node hashes are domain separated (0x00 / 0x01 prefixes)', () => {
    assert.equal(leafHash(Buffer.from('')).toString('hex'), createHash('sha256').update(Buffer.from([0])).digest('hex'));
    assert.notEqual(leafHash(Buffer.concat([Buffer.from([1]), Buffer.alloc(64)])).toString('hex'), nodeHash(Buffer.alloc(32), Buffer.alloc(32)).toString('hex'));
  });

  it('frontier root, level root and the literal MTH agree for every size 0..70', () => {
    const all = leaves(70);
    const stack = new FrontierStack();
    stack.load(emptyFrontier());
    for (let n = 0; n <= 70; n++) {
      const f = stack.frontier();
      const want = mth(all.slice(0, n)).toString('hex');
      assert.equal(frontierRoot(f).toString('hex'), want, `frontier n=${n}`);
      assert.equal(new MerkleLevels(all.slice(0, n)).root().toString('hex'), want, `levels n=${n}`);
      const again = frontierFromBytes(f.size, frontierToBytes(f));
      assert.equal(frontierRoot(again).toString('hex'), want, `round trip n=${n}`);
      if (n < 70) stack.append(all[n]!, 0);
    }
  });

  it('inclusion proofs equal the literal PATH and verify with both implementations; wrong leaf, index or a truncated path fail', () => {
    for (const n of [1, 2, 3, 5, 8, 13, 33]) {
      const ls = leaves(n);
      const t = new MerkleLevels(ls);
      const root = t.root();
      for (let m = 0; m < n; m++) {
        const p = t.inclusionProof(m);
        assert.deepEqual(p.map((h) => h.toString('hex')), path(m, ls).map((h) => h.toString('hex')), `n=${n} m=${m}`);
        assert.ok(verifyInclusion(ls[m]!, m, n, p, root));
        assert.ok(verifierInclusion(ls[m]!, m, n, p, root));
        if (n > 1) {
          assert.ok(!verifyInclusion(ls[(m + 1) % n]!, m, n, p, root), 'other leaf');
          assert.ok(!verifierInclusion(ls[m]!, (m + 1) % n, n, p, root), 'other index');
        }
        if (p.length > 0) assert.ok(!verifierInclusion(ls[m]!, m, n, p.slice(1), root), 'truncated path');
      }
    }
  });

  it('a frontier passes 2^32 leaves: the append that completes 2^32 merges all 32 subtrees', () => {
    const roots = Array.from({ length: 32 }, (_, i) => leafHash(Buffer.from([i])));
    const stack = new FrontierStack();
    stack.load({ size: 2 ** 32 - 1, roots });
    const leaf = leafHash(Buffer.from('last'));
    stack.append(leaf, 0);
    const f = stack.frontier();
    let expected = leaf;
    for (let i = 31; i >= 0; i--) expected = nodeHash(roots[i]!, expected);
    assert.equal(f.size, 2 ** 32);
    assert.deepEqual(f.roots, [expected]);
  });
});

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { consistencyNeeds, consistencyProof, verifyConsistency } from '../../../src/evidence/consistency.ts';
import { inclusionProofs } from '../../../src/evidence/inclusion-proofs.ts';
import { leafHash, MerkleLevels, nodeHash } from '../../../src/evidence/merkle.ts';
import { verifyConsistency as verifierConsistency } from '../../../verifier/verify.mjs';

/** RFC 9162 section 2.1.4.1, literally: the independent reference. */
function mth(d: Buffer[]): Buffer {
  if (d.length === 0) return createHash('sha256').digest();
  if (d.length === 1) return d[0]!;
  let k = 1;
  while (k * 2 < d.length) k *= 2;
  return nodeHash(mth(d.slice(0, k)), mth(d.slice(k)));
}
function subproof(m: number, d: Buffer[], b: boolean): Buffer[] {
  const n = d.length;
  if (m === n) return b ? [] : [mth(d)];
  let k = 1;
  while (k * 2 < n) k *= 2;
  if (m <= k) return [...subproof(m, d.slice(0, k), b), mth(d.slice(k))];
  return [...subproof(m - k, d.slice(k), false), mth(d.slice(0, k))];
}

describe('RFC 9162 consistency proofs', () => {
  const leaves = Array.from({ length: 70 }, (_, i) => leafHash(Buffer.from(`record ${i}`)));
  it('equal the RFC recursion for every m <= n <= 70, and verify (here and in the standalone verifier)', () => {
    for (let n = 1; n <= leaves.length; n++) {
      const d = leaves.slice(0, n);
      const ms = Array.from({ length: n }, (_, i) => i + 1);
      const tree = inclusionProofs(d, n, ms.map((m) => consistencyNeeds(m).leaf), ms.map((m) => consistencyNeeds(m).node));
      assert.ok(tree.root.equals(new MerkleLevels(d).root()));
      for (const m of ms) {
        const p = consistencyProof(tree, m, n);
        assert.deepEqual(p.map((h) => h.toString('hex')), subproof(m, d, true).map((h) => h.toString('hex')), `m ${m} n ${n}`);
        const old = mth(leaves.slice(0, m));
        assert.ok(verifyConsistency(m, n, p, old, tree.root), `m ${m} n ${n}`);
        assert.ok(verifierConsistency(m, n, p, old, tree.root), `verifier m ${m} n ${n}`);
        if (m < n) {
          const other = mth([...leaves.slice(0, m - 1), leafHash(Buffer.from('rewritten'))]);
          assert.ok(!verifyConsistency(m, n, p, other, tree.root), 'a rewritten old tree fails');
          assert.ok(!verifierConsistency(m, n, p, other, tree.root), 'a rewritten old tree fails the verifier');
        }
      }
    }
  });
});

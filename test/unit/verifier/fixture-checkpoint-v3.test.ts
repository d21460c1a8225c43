import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { verifyPackage } from '../../../verifier/verify.mjs';

/**
 * A package exported with checkpoint v3 (records filed under their UTC hour, "time:YYYY-MM-DDTHH"),
 * selected by a time window inside one hour (scripts/make-fixture-package.ts OUT time, at 2e2d10b):
 * its completeness proof is the hour key's leaf with the records inside and outside the window.
 * Packages of this version must keep verifying with every later verifier.
 */
const V3 = fileURLToPath(new URL('../../fixtures/packages/checkpoint-v3-time', import.meta.url));
const VERIFY = fileURLToPath(new URL('../../../verifier/verify.mjs', import.meta.url));

describe('package with checkpoint v3, selected by time (test/fixtures/packages/checkpoint-v3-time)', () => {
  it('verifies with the current verifier, in process and standalone', () => {
    const cp = JSON.parse(JSON.parse(readFileSync(join(V3, 'checkpoint.json'), 'utf8')).text);
    assert.equal(cp.type, 'counterseed-checkpoint/v3');
    const proof = JSON.parse(readFileSync(join(V3, 'completeness.json'), 'utf8'));
    assert.deepEqual(proof.time.leaves.map((l: { key: string }) => l.key), ['time:2025-12-06T05']);
    const r = verifyPackage(V3);
    assert.deepEqual(r.findings, []);
    const p = spawnSync(process.execPath, [VERIFY, V3], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(p.status, 0, p.stdout + p.stderr);
  });

  it('still detects a record left out of the window (the check is not vacuous)', () => {
    const root = mkdtempSync(join(tmpdir(), 'cs-v3-'));
    try {
      const d = join(root, 'pkg');
      cpSync(V3, d, { recursive: true });
      const f = join(d, 'completeness.json');
      const proof = JSON.parse(readFileSync(f, 'utf8'));
      proof.time.leaves[0].outside.shift(); // record 0 (outside the window) dropped: the hour's count no longer matches
      writeFileSync(f, JSON.stringify(proof));
      const v = verifyPackage(d);
      assert.equal(v.ok, false);
      assert.ok(v.findings.length > 0);
    } finally { rmSync(root, { recursive: true, force: true }); }
  });
});

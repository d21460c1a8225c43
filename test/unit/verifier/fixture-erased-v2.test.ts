import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { verifyPackage } from '../../../verifier/verify.mjs';

/**
 * The first package format with erased records (counterseed-export/v2; test/fixtures/packages/erased-v2.PROVENANCE.txt):
 * a time window of 15 records, 5 of them erased under the retention rules and carried as stubs in erased.json.
 * Packages of this version must keep verifying with every later verifier, and with the verifier they carry.
 */
const PKG = fileURLToPath(new URL('../../fixtures/packages/erased-v2', import.meta.url));
const VERIFY = fileURLToPath(new URL('../../../verifier/verify.mjs', import.meta.url));

describe('package with erased records (test/fixtures/packages/erased-v2)', () => {
  it('verifies with the current verifier and with its own copy, listing the 5 erased records', () => {
    const r = verifyPackage(PKG);
    assert.deepEqual(r.findings, []);
    assert.deepEqual([r.facts.records, r.facts.deliveries], [10, 6]);
    assert.deepEqual(r.facts.erased!.map((e) => [e.seq, e.erasure]), [1, 5, 8, 11, 14].map((q) => [q, 'erasure request 9']));
    for (const v of [VERIFY, join(PKG, 'verify.mjs')]) {
      const p = spawnSync(process.execPath, [v, PKG], { encoding: 'utf8', timeout: 30_000 });
      assert.equal(p.status, 0, p.stdout + p.stderr);
      assert.match(p.stdout, /erased:      5 record\(s\) erased under the retention rules/);
    }
  });

  it('still detects a stub whose time was changed (the check is not vacuous)', () => {
    const d = join(mkdtempSync(join(tmpdir(), 'cs-erased-v2-')), 'pkg');
    cpSync(PKG, d, { recursive: true });
    const e = JSON.parse(readFileSync(join(d, 'erased.json'), 'utf8')) as { stubs: { at: number }[] };
    e.stubs[0]!.at += 1;
    writeFileSync(join(d, 'erased.json'), `${JSON.stringify(e, null, 1)}\n`);
    const r = verifyPackage(d);
    assert.equal(r.ok, false);
    assert.ok(r.findings.some((x) => x.code === 'completeness-failed'), JSON.stringify(r.findings));
  });
});

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { verifyPackage } from '../../../verifier/verify.mjs';

/**
 * A package exported by counterseed at b5de196 (checkpoint counterseed-checkpoint/v2: a key index
 * without time: or net: keys; completeness.json for one IP; consistency.json): the three deliveries
 * of 198.18.0.11. v3 added proofs for every selection; a v2 package must keep verifying as it did.
 */
const V2 = fileURLToPath(new URL('../../fixtures/packages/checkpoint-v2', import.meta.url));
const VERIFY = fileURLToPath(new URL('../../../verifier/verify.mjs', import.meta.url));

describe('package exported with a v2 checkpoint (test/fixtures/packages/checkpoint-v2)', () => {
  it('verifies with the current verifier, in process and standalone, with its completeness proof', () => {
    const r = verifyPackage(V2);
    assert.deepEqual(r.findings, []);
    assert.equal(r.facts.deliveries, 3);
    assert.equal(r.facts.completeness, 'ip:198.18.0.11: 3 record(s) in the window, 0 outside it, of 3');
    const p = spawnSync(process.execPath, [VERIFY, V2], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(p.status, 0, p.stdout + p.stderr);
  });

  it('still detects an edit in it: a record changed fails its proofs and the completeness accumulator', () => {
    const d = join(mkdtempSync(join(tmpdir(), 'cs-v2-')), 'pkg');
    cpSync(V2, d, { recursive: true });
    const f = join(d, 'records.ndjson');
    writeFileSync(f, readFileSync(f, 'utf8').replace('"remotePort":40000', '"remotePort":40009'));
    const r = verifyPackage(d);
    assert.equal(r.ok, false);
    assert.ok(r.findings.some((x) => x.code === 'inclusion-proof-failed'), JSON.stringify(r.findings));
    assert.ok(r.findings.some((x) => x.code === 'completeness-failed'), JSON.stringify(r.findings));
  });
});

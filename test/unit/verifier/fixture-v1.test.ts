import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { verifyPackage } from '../../../verifier/verify.mjs';

/**
 * A package exported by counterseed at e985d46 (records "v":1, checkpoint counterseed-checkpoint/v1,
 * no completeness or consistency files): deliveries, a tracker announce and a clock record for decoy 2.
 * Records written before any later change must keep verifying with the current verifier (issue 16, item 3).
 */
const V1 = fileURLToPath(new URL('../../fixtures/packages/v1', import.meta.url));
const VERIFY = fileURLToPath(new URL('../../../verifier/verify.mjs', import.meta.url));

describe('package exported by the first format (test/fixtures/packages/v1)', () => {
  it('verifies with the current verifier, in process and standalone', () => {
    const r = verifyPackage(V1);
    assert.deepEqual(r.findings, []);
    assert.equal(r.facts.records, 5);
    assert.equal(r.facts.deliveries, 3);
    const p = spawnSync(process.execPath, [VERIFY, V1], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(p.status, 0, p.stdout + p.stderr);
  });

  it('still detects an edit in it (the check is not vacuous)', () => {
    const d = join(mkdtempSync(join(tmpdir(), 'cs-v1-')), 'pkg');
    cpSync(V1, d, { recursive: true });
    const f = join(d, 'records.ndjson');
    writeFileSync(f, readFileSync(f, 'utf8').replace('"remotePort":40001', '"remotePort":40002'));
    const r = verifyPackage(d);
    assert.equal(r.ok, false);
    assert.ok(r.findings.some((x) => x.code === 'inclusion-proof-failed'), JSON.stringify(r.findings));
  });
});

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
// @ts-expect-error: the standalone verifier is plain JavaScript without types for this file
import { verifyCentrePackage } from '../../../verifier/verify-centre.mjs';

/**
 * A centre package of the first format (counterseed-centre-export/v1), exported by counterseed at
 * 8f9ab78 (main before the v2 manifest): two nodes, 4 and 6 delivery records, each with its
 * checkpoint and inclusion proofs; no centre signature, no completeness proofs. The current
 * verifier must still verify it, for inclusion only, and say what it cannot prove.
 * Made by test/fixtures/packages/centre-v1.PROVENANCE.txt's script.
 */
const V1 = fileURLToPath(new URL('../../fixtures/packages/centre-v1', import.meta.url));
const VERIFY = fileURLToPath(new URL('../../../verifier/verify-centre.mjs', import.meta.url));
type Result = { ok: boolean; format: string | null; limits: string[]; findings: { node: string | null; code: string }[]; nodes: { records: number; treeSize: number | null; completeness?: string | null }[] };

describe('centre package of the first format (test/fixtures/packages/centre-v1)', () => {
  it('verifies, inclusion only, and the result says it proves no completeness and its node list is unsigned', () => {
    const r = verifyCentrePackage(V1) as Result;
    assert.deepEqual(r.findings, []);
    assert.equal(r.ok, true);
    assert.equal(r.format, 'v1');
    assert.deepEqual(r.nodes.map((n) => [n.records, n.treeSize, n.completeness]), [[4, 4, null], [6, 6, null]]);
    assert.equal(r.limits.length, 2);
    assert.match(r.limits[0]!, /NOT completeness/);
    assert.match(r.limits[1]!, /not signed/);
    const p = spawnSync(process.execPath, [VERIFY, V1], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(p.status, 0, p.stdout + p.stderr);
    assert.match(p.stdout, /^LIMIT: .*NOT completeness/m);
    assert.match(p.stdout, /^LIMIT: its list of nodes is not signed/m);
    assert.match(p.stdout, /^VERIFIED, INCLUSION ONLY \(v1 package\)/m);
    assert.doesNotMatch(p.stdout, /none of the selection .* was left out/, 'no completeness claimed');
  });

  it('still detects an edit in it, and refuses to pretend a centre key was checked', () => {
    const d = join(mkdtempSync(join(tmpdir(), 'cs-centre-v1-')), 'pkg');
    cpSync(V1, d, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(d, 'centre-manifest.json'), 'utf8')) as { nodes: { node: string }[] };
    const f = join(d, 'nodes', manifest.nodes[0]!.node, 'records.ndjson');
    writeFileSync(f, readFileSync(f, 'utf8').replace('"remoteIp":"198.18.0.1"', '"remoteIp":"198.18.0.9"'));
    const r = verifyCentrePackage(d) as Result;
    assert.equal(r.ok, false);
    assert.ok(r.findings.some((x) => x.code === 'inclusion-proof-invalid'), JSON.stringify(r.findings));
    const pinned = verifyCentrePackage(V1, { centreKey: 'a'.repeat(64) }) as Result;
    assert.equal(pinned.ok, false);
    assert.ok(pinned.findings.some((x) => x.code === 'centre-signature-missing'));
  });
});

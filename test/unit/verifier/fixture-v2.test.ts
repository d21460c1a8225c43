import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { verifyPackage } from '../../../verifier/verify.mjs';

/**
 * A package exported by counterseed when records began to name their network (issue 16, item 3;
 * written by scripts/make-fixture-package.ts): a clock record (schema v1) and BitTorrent observations
 * with network and content id (schema v2), checkpoint v2, completeness and consistency files.
 * Packages of this version must keep verifying with every later verifier.
 */
const V2 = fileURLToPath(new URL('../../fixtures/packages/v2', import.meta.url));
const VERIFY = fileURLToPath(new URL('../../../verifier/verify.mjs', import.meta.url));

describe('package exported with record schema v2 (test/fixtures/packages/v2)', () => {
  it('holds v1 and v2 records and verifies with the current verifier, in process and standalone', () => {
    const records = readFileSync(join(V2, 'records.ndjson'), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(records.map((r) => r.v), [1, 2, 2, 2, 2]);
    for (const r of records.slice(1)) assert.deepEqual([r.obs.network, r.obs.contentId], ['bittorrent', `btih:${r.obs.infoHash}`]);
    const r = verifyPackage(V2);
    assert.deepEqual(r.findings, []);
    assert.deepEqual([r.facts.records, r.facts.deliveries], [5, 2]);
    const p = spawnSync(process.execPath, [VERIFY, V2], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(p.status, 0, p.stdout + p.stderr);
  });

  it('still detects an edit of a content id (the check is not vacuous)', () => {
    const d = join(mkdtempSync(join(tmpdir(), 'cs-v2-')), 'pkg');
    cpSync(V2, d, { recursive: true });
    const f = join(d, 'records.ndjson');
    const text = readFileSync(f, 'utf8');
    const lines = text.split('\n');
    const r = JSON.parse(lines[2]!);
    lines[2] = lines[2]!.replace(`"contentId":"btih:${r.obs.infoHash}"`, `"contentId":"btih:${'0'.repeat(40)}"`);
    assert.notEqual(lines.join('\n'), text);
    writeFileSync(f, lines.join('\n'));
    const v = verifyPackage(d);
    assert.equal(v.ok, false);
    assert.ok(v.findings.some((x) => x.code === 'inclusion-proof-failed'), JSON.stringify(v.findings));
    assert.ok(v.findings.some((x) => x.code === 'record-invalid' && /not the record's infohash/.test(x.message)), JSON.stringify(v.findings));
  });
});

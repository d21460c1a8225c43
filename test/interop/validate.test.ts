/**
 * Issue 5 (section 6): `counterseed validate --downloads 3` (one download per client:
 * libtorrent, Transmission, aria2) inside the test namespace must report 0 mismatches
 * against its packet capture, and write the report files and a verifying evidence export.
 * Inside scripts/netns-run.sh only (real clients).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { assertIsolated } from '../helpers/netns.ts';

const MAIN = join(import.meta.dirname, '../../src/cli/main.ts');

test('counterseed validate --downloads 3: every delivery matches the capture, report and export exist', () => {
  assertIsolated();
  const dir = mkdtempSync(join(tmpdir(), 'cs-validate-'));
  try {
    const out = join(dir, 'report');
    const r = spawnSync(process.execPath, ['--openssl-legacy-provider', MAIN, 'validate', '--data', join(dir, 'data'), '--out', out, '--downloads', '3'],
      { encoding: 'utf8', timeout: 8 * 60_000, maxBuffer: 16 * 1024 * 1024 });
    assert.equal(r.status, 0, `validate failed (${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr.slice(-6000)}`);
    assert.match(r.stdout, /^PASS: 3\/3 downloads, 3 deliveries, 3 captured connections, 0 mismatches/m);
    for (const f of ['report.md', 'report.json', 'capture.pcapng', 'evidence-export/manifest.json', 'evidence-export/deliveries.csv']) {
      assert.ok(existsSync(join(out, f)), `${f} exists`);
    }
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as {
      ok: boolean; comparison: { mismatches: unknown[]; compared: { client: string; checks: { field: string; ok: boolean }[] }[] };
      evidence: { verified: boolean; deliveries: number }; downloads: { client: string; ok: boolean }[]; environment: { captureDropped: number };
    };
    assert.equal(report.ok, true);
    assert.deepEqual(report.comparison.mismatches, []);
    assert.deepEqual(report.downloads.map((d) => d.client).sort(), ['aria2', 'libtorrent', 'transmission']);
    assert.equal(report.evidence.verified, true);
    assert.equal(report.evidence.deliveries, 3);
    assert.equal(report.environment.captureDropped, 0);
    // Plaintext clients are checked piece by piece; the MSE one (aria2) by TCP byte bounds.
    const fields = report.comparison.compared.map((c) => c.checks.map((ch) => ch.field));
    assert.equal(fields.filter((f) => f.includes('servedRanges')).length, 2);
    assert.equal(fields.filter((f) => f.includes('tcpBytes')).length, 1);
    assert.match(readFileSync(join(out, 'report.md'), 'utf8'), /\*\*0 mismatches\*\*/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, sign } from 'node:crypto';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { verifyPackage, type VerifyResult } from '../../../verifier/verify.mjs';
import { evidenceFixture } from './fixture.ts';

const VERIFY = fileURLToPath(new URL('../../../verifier/verify.mjs', import.meta.url));
const codes = (r: VerifyResult) => new Set(r.findings.map((f) => f.code));

describe('offline verifier detects tampering', () => {
  let pristine = '';
  let n = 0;
  const copy = () => { const d = `${pristine}-t${n++}`; cpSync(pristine, d, { recursive: true }); return d; };
  const lines = (d: string) => readFileSync(join(d, 'records.ndjson'), 'utf8').split('\n').filter(Boolean);
  const writeLines = (d: string, ls: string[]) => writeFileSync(join(d, 'records.ndjson'), ls.map((l) => `${l}\n`).join(''));

  before(async () => {
    const f = await evidenceFixture();
    pristine = join(f.dir, 'export');
    await f.exportTo(pristine, { ip: '198.18.0.11' });
  });

  it('verifies an untouched package, in process and as a standalone script (exit 0)', () => {
    const r = verifyPackage(pristine);
    assert.deepEqual(r.findings, []);
    assert.equal(r.ok, true);
    assert.ok(r.facts.deliveries >= 3);
    const p = spawnSync(process.execPath, [VERIFY, pristine], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(p.status, 0, p.stdout + p.stderr);
    assert.match(p.stdout, /RESULT: VERIFIED/);
  });

  it('runs on the system Node 20 too (no npm dependencies, no type stripping)', (t) => {
    const node20 = '/usr/bin/node';
    const v = spawnSync(node20, ['--version'], { encoding: 'utf8' });
    if (v.status !== 0) return t.skip('no /usr/bin/node');
    const p = spawnSync(node20, [VERIFY, pristine], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(p.status, 0, `${v.stdout} ${p.stdout}${p.stderr}`);
  });

  it('a flipped byte in a record fails its inclusion proof', () => {
    const d = copy();
    const ls = lines(d);
    const i = ls.findIndex((l) => l.includes('"remotePort":'));
    ls[i] = ls[i]!.replace(/"remotePort":(\d)/, (_m, c: string) => `"remotePort":${(Number(c) + 1) % 10}`);
    writeLines(d, ls);
    const r = verifyPackage(d);
    assert.equal(r.ok, false);
    assert.ok(codes(r).has('inclusion-proof-failed'), JSON.stringify(r.findings));
    assert.ok(codes(r).has('file-digest-mismatch'));
    const p = spawnSync(process.execPath, [VERIFY, d], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(p.status, 1);
    assert.match(p.stdout, /NOT VERIFIED/);
  });

  it('a dropped record is reported missing against the signed manifest', () => {
    const d = copy();
    const ls = lines(d);
    const dropped = JSON.parse(ls[1]!) as { seq: number };
    writeLines(d, ls.filter((_, i) => i !== 1));
    const r = verifyPackage(d);
    assert.equal(r.ok, false);
    assert.ok(r.findings.some((f) => f.code === 'record-missing' && f.message.includes(`seq ${dropped.seq} `)), JSON.stringify(r.findings));
    assert.ok(!codes(r).has('inclusion-proof-failed'), 'the remaining records are intact');
  });

  it('a reordered record is reported out of order', () => {
    const d = copy();
    const ls = lines(d);
    [ls[1], ls[2]] = [ls[2]!, ls[1]!];
    writeLines(d, ls);
    const r = verifyPackage(d);
    assert.equal(r.ok, false);
    assert.ok(codes(r).has('record-order'), JSON.stringify(r.findings));
    assert.ok(!codes(r).has('inclusion-proof-failed'), 'each record is still itself');
  });

  it('a record moved to another position by editing its seq breaks its proof', () => {
    const d = copy();
    const ls = lines(d);
    const last = JSON.parse(ls[ls.length - 1]!) as { seq: number };
    ls[ls.length - 1] = ls[ls.length - 1]!.replace(`"seq":${last.seq}`, `"seq":${last.seq + 1000}`);
    writeLines(d, ls);
    const r = verifyPackage(d);
    assert.ok(codes(r).has('inclusion-proof-failed') || codes(r).has('proof-missing'), JSON.stringify(r.findings));
  });

  it('a swapped public key breaks every signature and the node identity', () => {
    const d = copy();
    const other = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
    writeFileSync(join(d, 'public-key.pem'), other);
    const r = verifyPackage(d);
    assert.equal(r.ok, false);
    for (const c of ['manifest-signature-invalid', 'checkpoint-signature-invalid', 'key-mismatch', 'record-node-mismatch']) assert.ok(codes(r).has(c), `${c}: ${JSON.stringify(r.findings)}`);
  });

  it('a package fully re-signed with another key is caught by the published fingerprint', () => {
    const d = copy();
    const original = verifyPackage(pristine).facts.fingerprint!;
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    writeFileSync(join(d, 'public-key.pem'), publicKey.export({ type: 'spki', format: 'pem' }));
    // Re-sign manifest and checkpoint: every signature now verifies, but under the wrong key.
    const cp = JSON.parse(readFileSync(join(d, 'checkpoint.json'), 'utf8')) as { text: string };
    writeFileSync(join(d, 'checkpoint.json'), JSON.stringify({ text: cp.text, signature: sign(null, Buffer.from(cp.text), privateKey).toString('base64') }));
    const m = readFileSync(join(d, 'manifest.json'));
    writeFileSync(join(d, 'manifest.sig'), sign(null, m, privateKey).toString('base64'));
    const r = verifyPackage(d, { keyFingerprint: original });
    assert.ok(codes(r).has('unexpected-key'), JSON.stringify(r.findings));
    assert.ok(!codes(r).has('manifest-signature-invalid'));
  });

  it('an edited CSV cell is reported with the column that differs', () => {
    const d = copy();
    const csv = readFileSync(join(d, 'deliveries.csv'), 'utf8').split('\r\n');
    csv[1] = csv[1]!.replace(',198.18.0.11,', ',198.18.0.99,');
    writeFileSync(join(d, 'deliveries.csv'), csv.join('\r\n'));
    const r = verifyPackage(d);
    assert.equal(r.ok, false);
    assert.ok(r.findings.some((f) => f.code === 'csv-mismatch' && f.message.includes('remote_ip')), JSON.stringify(r.findings));
    assert.ok(!codes(r).has('inclusion-proof-failed'), 'records are untouched');
  });

  it('a CSV row removed is reported missing', () => {
    const d = copy();
    const csv = readFileSync(join(d, 'deliveries.csv'), 'utf8').split('\r\n');
    writeFileSync(join(d, 'deliveries.csv'), csv.filter((_, i) => i !== 2).join('\r\n'));
    assert.ok(codes(verifyPackage(d)).has('csv-row-missing'));
  });

  it('neutralises spreadsheet formulas and quotes peer-controlled text in the CSV', () => {
    const csv = readFileSync(join(pristine, 'deliveries.csv'), 'utf8');
    assert.match(csv, /,"'=HYPERLINK\(""x""\)",/);
    assert.match(csv, /,"a,""b""\nc",/);
  });
});

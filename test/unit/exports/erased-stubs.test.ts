import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { verifyPackage } from '../../../verifier/verify.mjs';
import { signManifest, type Manifest } from '../../../src/exports/manifest.ts';
import { openErasure } from '../../../src/node/erasure.ts';
import { evidenceFixture } from '../evidence/fixture.ts';

// Erased records inside a package's proofs (issue 13 §7; docs/retention.md, verifier/README.md section 12):
// the package carries a stub (seq, at, hash, erasure) where the proofs need an erased record, and the
// standalone verifier reports the record as erased, never as tampered; a stub cannot hide a delivered record.
const VERIFIER = new URL('../../../verifier/verify.mjs', import.meta.url).pathname;
const ERASED_AT = 1_764_100_000_000;

/** `node verifier/verify.mjs DIR` in its own process, as a court's expert runs it. */
function verifyOutside(dir: string): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, [VERIFIER, dir], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

interface Stub { seq: number; at: number; hash: string; erased: { at: number; erasure: string }; path: string[] }
const readJson = <T>(dir: string, name: string) => JSON.parse(readFileSync(join(dir, name), 'utf8')) as T;

describe('erased records as stubs in export packages', () => {
  let f: Awaited<ReturnType<typeof evidenceFixture>>;
  let erasedSeqs: number[];
  /** Records 198.18.0.11 had, in the fixture's window. */
  const window = { from: 1_764_000_000_000, to: 1_764_000_010_000 };

  /** The package in `dir`, its manifest changed by `edit`, re-signed with the node key with every file's digest recomputed: a hostile editor who holds the key. */
  const resign = (dir: string, edit: (m: Manifest) => Manifest) => {
    const m = readJson<Manifest>(dir, 'manifest.json');
    const files = Object.fromEntries(Object.keys(m.files).map((n) => [n, createHash('sha256').update(readFileSync(join(dir, n))).digest('hex')]));
    const s = signManifest(edit({ ...m, files }), f.ev.key.privateKey);
    writeFileSync(join(dir, 'manifest.json'), s.text);
    writeFileSync(join(dir, 'manifest.sig'), `${s.signature}\n`);
  };

  before(async () => {
    f = await evidenceFixture({ deliveries: 12 });
    const cp = f.ev.log.checkpoint('manual');
    const done = openErasure(f.store).erase({ kinds: ['delivery'], before: 8.64e15, ip: '198.18.0.11', exceptIps: [], belowSeq: cp.treeSize }, { erasure: 'erasure request 9', at: ERASED_AT });
    erasedSeqs = f.ev.table.index.records(f.ev.table.index.get('ip:198.18.0.11')!.id).map(([seq]) => seq);
    assert.equal(done.reduce((n, d) => n + d.records, 0), erasedSeqs.length);
    assert.ok(erasedSeqs.length >= 4, 'the fixture gives 198.18.0.11 several deliveries');
  });

  it('a time window spanning erased records exports, and the standalone verifier says VERIFIED, listing each as erased', async () => {
    const out = join(f.dir, 'window');
    const s = await f.exportTo(out, window, { from: new Date(window.from).toISOString(), to: new Date(window.to).toISOString() });
    const inWindow = erasedSeqs.filter((q) => { const at = f.ev.table.index.records(f.ev.table.index.get('ip:198.18.0.11')!.id).find(([x]) => x === q)![1]; return at >= window.from && at < window.to; });
    assert.ok(inWindow.length >= 4);
    assert.equal(s.erased, inWindow.length);
    const m = readJson<Manifest>(out, 'manifest.json');
    assert.equal(m.type, 'counterseed-export/v2');
    assert.deepEqual(m.erased, inWindow);
    // No content of an erased record anywhere in the package.
    for (const name of readdirSync(out).filter((n) => n !== 'verify.mjs' && n !== 'README.txt')) assert.doesNotMatch(readFileSync(join(out, name), 'utf8'), /198\.18\.0\.11/, name);
    const stubs = readJson<{ stubs: Stub[] }>(out, 'erased.json').stubs;
    assert.deepEqual(stubs.map((x) => [x.seq, x.erased.erasure, x.erased.at]), inWindow.map((q) => [q, 'erasure request 9', ERASED_AT]));
    const v = verifyOutside(out);
    assert.equal(v.code, 0, v.out);
    assert.match(v.out, /RESULT: VERIFIED - no sign of alteration\. \d+ record\(s\) erased under the retention rules \(listed above\): erased, not tampered\./);
    assert.match(v.out, new RegExp(`erased:      ${inWindow.length} record\\(s\\) erased under the retention rules`));
    for (const q of inWindow) assert.match(v.out, new RegExp(`  erased: seq ${q}, recorded \\S+, erased 2025-11-25T19:46:40.000Z by "erasure request 9"`));
    assert.match(v.out, /\[ ok \] erased records/);
    assert.match(v.out, new RegExp(`time window: \\d+ record\\(s\\) \\(${inWindow.length} erased\\)`));
  });

  it('an export of the erased address itself carries only stubs, and verifies', async () => {
    const out = join(f.dir, 'by-ip');
    const s = await f.exportTo(out, { ip: '198.18.0.11' });
    assert.equal(s.erased, erasedSeqs.length);
    assert.equal(s.deliveries, 0);
    const r = verifyPackage(out);
    assert.deepEqual(r.findings, []);
    assert.deepEqual(r.facts.erased!.map((e) => e.seq), erasedSeqs);
    assert.match(String(r.facts.completeness), new RegExp(`ip:198\\.18\\.0\\.11: ${erasedSeqs.length} record\\(s\\) in the window \\(${erasedSeqs.length} erased\\)`));
  });

  it('a package that needs no erased record stays v1, with no erased.json', async () => {
    const out = join(f.dir, 'other-ip');
    const s = await f.exportTo(out, { ip: '198.18.0.12' });
    assert.equal(s.erased, 0);
    const m = readJson<Manifest>(out, 'manifest.json');
    assert.equal(m.type, 'counterseed-export/v1');
    assert.equal(m.erased, undefined);
    assert.equal(readdirSync(out).includes('erased.json'), false);
    assert.equal(verifyPackage(out).ok, true);
  });

  it('a stub whose hash was changed fails, re-signed or not: it is not the leaf the checkpoint signs', async () => {
    const good = join(f.dir, 'window');
    for (const signed of [false, true]) {
      const out = join(f.dir, `bad-hash-${signed}`);
      cpSync(good, out, { recursive: true });
      const e = readJson<{ stubs: Stub[] }>(out, 'erased.json');
      e.stubs[1]!.hash = createHash('sha256').update('something else').digest('hex');
      writeFileSync(join(out, 'erased.json'), `${JSON.stringify(e, null, 1)}\n`);
      if (signed) resign(out, (m) => m);
      const v = verifyOutside(out);
      assert.equal(v.code, 1, v.out);
      assert.match(v.out, new RegExp(`stub-proof-failed: the stub of erased record ${e.stubs[1]!.seq} is not the leaf at position ${e.stubs[1]!.seq} of the signed tree`));
      assert.match(v.out, /completeness-failed: the records given for time:/, 'the signed key index does not count it either');
      if (!signed) assert.match(v.out, /file-digest-mismatch: erased\.json does not match its SHA-256 in the manifest/);
    }
  });

  it('a stub put in place of a delivered record is caught; re-signed with the node key, it is listed as erased for all to see', async () => {
    const good = join(f.dir, 'window');
    const lines = readFileSync(join(good, 'records.ndjson'), 'utf8').split('\n').slice(0, -1);
    const victim = lines.map((l) => JSON.parse(l) as { seq: number; at: number; kind: string; obs: { remoteIp?: string } }).find((r) => r.kind === 'delivery' && r.obs.remoteIp === '198.18.0.12')!;
    const proofs = readJson<{ proofs: { seq: number; path: string[] }[] }>(good, 'proofs.json').proofs;
    const stub = {
      seq: victim.seq, at: victim.at, hash: createHash('sha256').update(Buffer.concat([Buffer.from([0]), Buffer.from(lines.find((l) => JSON.parse(l).seq === victim.seq)!)])).digest('hex'),
      erased: { at: ERASED_AT, erasure: 'erasure request 9' }, path: proofs.find((p) => p.seq === victim.seq)!.path,
    };
    const substitute = (out: string) => {
      cpSync(good, out, { recursive: true });
      writeFileSync(join(out, 'records.ndjson'), lines.filter((l) => JSON.parse(l).seq !== victim.seq).map((l) => `${l}\n`).join(''));
      const e = readJson<{ stubs: Stub[] }>(out, 'erased.json');
      e.stubs = [...e.stubs, stub].sort((a, b) => a.seq - b.seq);
      writeFileSync(join(out, 'erased.json'), `${JSON.stringify(e, null, 1)}\n`);
      const csv = readFileSync(join(out, 'deliveries.csv'), 'utf8').split('\r\n');
      writeFileSync(join(out, 'deliveries.csv'), csv.filter((row) => !row.startsWith(`${victim.seq},`)).join('\r\n'));
    };
    // Without the node key: the signed manifest still lists the record as delivered.
    const out = join(f.dir, 'substituted');
    substitute(out);
    const v = verifyOutside(out);
    assert.equal(v.code, 1, v.out);
    assert.match(v.out, new RegExp(`stub-for-record: seq ${victim.seq} is listed in the signed manifest as a record the package delivers, but erased.json carries only a stub for it`));
    assert.match(v.out, new RegExp(`stub-unlisted: the stub of seq ${victim.seq} is not in the signed manifest's list of erased records`));
    // A stub next to the same record: caught too.
    const both = join(f.dir, 'both');
    cpSync(good, both, { recursive: true });
    const e = readJson<{ stubs: Stub[] }>(both, 'erased.json');
    writeFileSync(join(both, 'erased.json'), `${JSON.stringify({ ...e, stubs: [...e.stubs, stub] }, null, 1)}\n`);
    resign(both, (m) => ({ ...m, erased: [...m.erased!, victim.seq].sort((a, b) => a - b) }));
    assert.match(verifyOutside(both).out, new RegExp(`stub-for-record: seq ${victim.seq} is a record in records.ndjson and also a stub in erased.json`));
    // With the node key (the node itself hiding a record): the proofs hold, so the package verifies, but the record is
    // listed as erased, with the erasure it claims, for the reader to check against the node's access log.
    const signed = join(f.dir, 'substituted-signed');
    substitute(signed);
    resign(signed, (m) => ({ ...m, records: m.records.filter((q) => q !== victim.seq), erased: [...m.erased!, victim.seq].sort((a, b) => a - b), deliveries: m.deliveries - 1 }));
    const w = verifyOutside(signed);
    assert.match(w.out, new RegExp(`  erased: seq ${victim.seq}, recorded ${new Date(victim.at).toISOString()}`));
  });

  it('a stub nothing needs, or a v1 package carrying one, fails', async () => {
    const good = join(f.dir, 'by-ip');
    const out = join(f.dir, 'unneeded');
    cpSync(good, out, { recursive: true });
    // The completeness proof no longer lists the first erased record as in the window: its stub is needed by no proof.
    const c = readJson<{ inside: number[]; outside: [number, number, string][] }>(out, 'completeness.json');
    const first = readJson<{ stubs: Stub[] }>(out, 'erased.json').stubs[0]!;
    c.inside = c.inside.filter((q) => q !== first.seq);
    writeFileSync(join(out, 'completeness.json'), `${JSON.stringify(c, null, 1)}\n`);
    resign(out, (m) => m);
    const r = verifyPackage(out);
    assert.ok(r.findings.some((x) => x.code === 'stub-unneeded' && x.message.includes(`erased record ${first.seq}`)), JSON.stringify(r.findings));
    const v1 = join(f.dir, 'v1-with-stubs');
    cpSync(good, v1, { recursive: true });
    resign(v1, (m) => ({ ...m, type: 'counterseed-export/v1' as Manifest['type'] }));
    assert.ok(verifyPackage(v1).findings.some((x) => x.code === 'stubs-invalid' && /only v2 packages carry erased records/.test(x.message)));
  });
});

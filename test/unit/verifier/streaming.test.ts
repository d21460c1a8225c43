import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { verifyPackage, type VerifyResult } from '../../../verifier/verify.mjs';
import { evidenceFixture } from '../evidence/fixture.ts';

// What the verifier reported before it read the big files in pieces (verifier/verify.mjs at commit
// b7fd258, which read every file whole), case by case: check/code of every finding, in order, runs of
// one code written "code xN". The streaming verifier must report the same, finding for finding.
// The completeness check came later (a selection by time has a proof since checkpoint v3; its
// findings on these edits are tested in test/unit/evidence/selection-proofs.test.ts): left out here.
const codes = (r: VerifyResult) => {
  const out: string[] = [];
  let last = '';
  let n = 0;
  const flush = () => { if (n > 0) out.push(n === 1 ? last : `${last} x${n}`); };
  for (const f of r.findings.filter((x) => x.check !== 'completeness')) {
    const c = `${f.check}/${f.code}`;
    if (c === last) { n++; continue; }
    flush();
    last = c;
    n = 1;
  }
  flush();
  return out;
};
const WHOLE_FILE_VERIFIER = new Map<string, string[]>([
    ["pristine", []],
    ["a flipped byte in a record", ["files/file-digest-mismatch", "chain/chain-link-broken", "proofs/inclusion-proof-failed", "csv/csv-mismatch"]],
    ["a dropped record", ["files/file-digest-mismatch", "records/record-missing", "csv/csv-row-extra", "records/record-missing"]],
    ["two records swapped", ["files/file-digest-mismatch", "records/record-order"]],
    ["a duplicated record", ["files/file-digest-mismatch", "records/record-duplicate", "records/record-order", "csv/csv-row-missing", "records/record-missing"]],
    ["no final newline", ["files/file-digest-mismatch", "records/record-invalid"]],
    ["a CRLF line end and an empty line", ["files/file-digest-mismatch", "records/record-not-canonical", "records/record-invalid", "chain/chain-link-broken", "proofs/inclusion-proof-failed"]],
    ["a record without startedAt", ["files/file-digest-mismatch", "chain/chain-link-broken", "proofs/inclusion-proof-failed", "csv/csv-invalid"]],
    ["proofs.json without whitespace", ["files/file-digest-mismatch"]],
    ["proofs.json keys in another order", ["files/file-digest-mismatch"]],
    ["a proof dropped", ["files/file-digest-mismatch", "proofs/proof-missing"]],
    ["a proof repeated with a wrong path (the last one counts)", ["files/file-digest-mismatch", "proofs/inclusion-proof-failed"]],
    ["a proof whose path is not an array", ["files/file-digest-mismatch", "proofs/proofs-invalid"]],
    ["a null proof", ["files/file-digest-mismatch", "proofs/proofs-invalid"]],
    ["a different tree_size", ["files/file-digest-mismatch", "checkpoint/checkpoint-mismatch"]],
    ["proofs: null", ["files/file-digest-mismatch", "proofs/proof-missing x3005"]],
    ["proofs: an object", ["files/file-digest-mismatch", "proofs/proofs-invalid"]],
    ["proofs.json is an array", ["files/file-digest-mismatch", "checkpoint/checkpoint-mismatch", "proofs/proof-missing x3005"]],
    ["proofs.json is null", ["files/file-digest-mismatch", "proofs/proofs-invalid"]],
    ["a second \"proofs\" key with one proof", ["files/file-digest-mismatch", "proofs/proof-missing x3004"]],
    ["a changed CSV cell", ["files/file-digest-mismatch", "csv/csv-mismatch"]],
    ["a dropped CSV row", ["files/file-digest-mismatch", "csv/csv-row-missing"]],
    ["a repeated CSV row", ["files/file-digest-mismatch", "csv/csv-row-extra"]],
    ["an extra CSV row", ["files/file-digest-mismatch", "csv/csv-row-extra"]],
    ["a CSV header changed", ["files/file-digest-mismatch", "csv/csv-header"]],
    ["no final CRLF in the CSV", ["files/file-digest-mismatch"]],
    ["an unterminated quote at the end of the CSV", ["files/file-digest-mismatch", "csv/csv-invalid"]],
    ["a bare LF in the CSV", ["files/file-digest-mismatch", "csv/csv-invalid"]],
    ["a trailing comma at the end of the CSV", ["files/file-digest-mismatch"]],
    ["an empty CSV", ["files/file-digest-mismatch", "csv/csv-header", "csv/csv-row-missing x3001"]],
    ["a decoy edited", ["files/file-digest-mismatch", "decoys/decoy-name-mismatch", "csv/csv-mismatch x1501"]],
    ["records.ndjson missing", ["files/file-missing", "records/record-missing x3005", "csv/csv-row-extra x3001", "records/record-missing"]],
    ["proofs.json cut short", ["files/file-digest-mismatch", "proofs/proofs-invalid"]],
    ["proofs.json missing", ["files/file-missing", "proofs/proofs-invalid"]],
    ["deliveries.csv missing", ["files/file-missing", "csv/csv-invalid"]],
]);

type Edit = (d: string) => void;
const edit = (name: string, f: (s: string) => string): Edit => (d) => writeFileSync(join(d, name), f(readFileSync(join(d, name), 'utf8')));
const lines = (f: (ls: string[]) => string[]): Edit => edit('records.ndjson', (s) => `${f(s.split('\n').slice(0, -1)).join('\n')}\n`);
const proofs = (f: (p: { tree_size: number; root: string; proofs: { seq: number; path: unknown }[] }) => unknown): Edit =>
  edit('proofs.json', (s) => JSON.stringify(f(JSON.parse(s)), null, 1));
const csvRows = (f: (rows: string[]) => string[]): Edit => edit('deliveries.csv', (s) => `${f(s.split('\r\n').slice(0, -1)).join('\r\n')}\r\n`);

describe('streaming verifier', () => {
  let pristine = '';
  let n = 0;
  const copy = (e: Edit) => { const d = `${pristine}-s${n++}`; cpSync(pristine, d, { recursive: true }); e(d); return d; };

  before(async () => {
    // Big enough that records.ndjson, proofs.json and deliveries.csv each span several 1 MiB reads.
    const f = await evidenceFixture({ deliveries: 3000 });
    pristine = join(f.dir, 'export');
    await f.exportTo(pristine, {}, { x: 'all' });
    for (const name of ['records.ndjson', 'proofs.json', 'deliveries.csv']) assert.ok(readFileSync(join(pristine, name)).length > 1024 ** 2 + 1, name);
  });

  const same: [string, Edit][] = [
    ['pristine', () => {}],
    ['a flipped byte in a record', lines((ls) => { ls[1500] = ls[1500]!.replace(/"remotePort":(\d)/, (_m, c: string) => `"remotePort":${(Number(c) + 1) % 10}`); return ls; })],
    ['a dropped record', lines((ls) => ls.filter((_, i) => i !== 2000))],
    ['two records swapped', lines((ls) => { [ls[10], ls[11]] = [ls[11]!, ls[10]!]; return ls; })],
    ['a duplicated record', lines((ls) => [...ls.slice(0, 700), ls[699]!, ...ls.slice(700)])],
    ['no final newline', edit('records.ndjson', (s) => s.slice(0, -1))],
    ['a CRLF line end and an empty line', lines((ls) => { ls[3] = `${ls[3]}\r`; ls.splice(5, 0, ''); return ls; })],
    ['a record without startedAt', lines((ls) => { const i = ls.findIndex((l) => l.includes('"startedAt"')); ls[i] = ls[i]!.replace(/"startedAt":\d+,/, ''); return ls; })],
    ['proofs.json without whitespace', edit('proofs.json', (s) => JSON.stringify(JSON.parse(s)))],
    ['proofs.json keys in another order', edit('proofs.json', (s) => { const p = JSON.parse(s); return JSON.stringify({ proofs: p.proofs, root: p.root, extra: { a: [1, '}]'] }, tree_size: p.tree_size }, null, 2); })],
    ['a proof dropped', proofs((p) => ({ ...p, proofs: p.proofs.filter((_, i) => i !== 100) }))],
    ['a proof repeated with a wrong path (the last one counts)', proofs((p) => ({ ...p, proofs: [...p.proofs, { ...p.proofs[5]!, path: [] }] }))],
    ['a proof whose path is not an array', proofs((p) => { p.proofs[40]!.path = 5; return p; })],
    ['a null proof', proofs((p) => { (p.proofs as unknown[])[7] = null; return p; })],
    ['a different tree_size', proofs((p) => ({ ...p, tree_size: p.tree_size + 1 }))],
    ['proofs: null', proofs((p) => ({ ...p, proofs: null }))],
    ['proofs: an object', proofs((p) => ({ ...p, proofs: {} }))],
    ['proofs.json is an array', edit('proofs.json', () => '[1, 2]')],
    ['proofs.json is null', edit('proofs.json', () => 'null')],
    ['a second "proofs" key with one proof', edit('proofs.json', (s) => { const p = JSON.parse(s); return `${s.trimEnd().slice(0, -1)}, "proofs": [${JSON.stringify(p.proofs[3])}]}`; })],
    ['a changed CSV cell', csvRows((r) => { r[900] = r[900]!.replace('198.18.0.1', '198.18.0.9'); return r; })],
    ['a dropped CSV row', csvRows((r) => r.filter((_, i) => i !== 1200))],
    ['a repeated CSV row', csvRows((r) => [...r, r[42]!])],
    ['an extra CSV row', csvRows((r) => [...r, `999999${r[1]!.slice(r[1]!.indexOf(','))}`])],
    ['a CSV header changed', csvRows((r) => { r[0] = r[0]!.replace('seq', 'Seq'); return r; })],
    ['no final CRLF in the CSV', edit('deliveries.csv', (s) => s.slice(0, -2))],
    ['an unterminated quote at the end of the CSV', edit('deliveries.csv', (s) => `${s}"abc`)],
    ['a bare LF in the CSV', csvRows((r) => { r[2000] = `${r[2000]}\nx`; return r; })],
    ['a trailing comma at the end of the CSV', edit('deliveries.csv', (s) => `${s}1,`)],
    ['an empty CSV', edit('deliveries.csv', () => '')],
    ['a decoy edited', edit('decoys.json', (s) => s.replace('holiday', 'Holiday'))],
    ['records.ndjson missing', (d) => rmSync(join(d, 'records.ndjson'))],
  ];
  const sameCodes: [string, Edit][] = [
    ['proofs.json cut short', edit('proofs.json', (s) => s.slice(0, s.length / 2))],
    ['proofs.json missing', (d) => rmSync(join(d, 'proofs.json'))],
    ['deliveries.csv missing', (d) => rmSync(join(d, 'deliveries.csv'))],
  ];
  for (const [what, e] of [...same, ...sameCodes]) {
    it(`reports what the whole-file verifier reported: ${what}`, () => {
      const want = WHOLE_FILE_VERIFIER.get(what);
      assert.ok(want, `no recorded result for ${what}`);
      const got = verifyPackage(copy(e));
      assert.deepEqual(codes(got), want);
      assert.equal(got.ok, what === 'pristine');
    });
  }

  const has = (r: VerifyResult, code: string, text: string) => assert.ok(r.findings.some((f) => f.code === code && f.message.includes(text)), JSON.stringify(r.findings));
  const huge = 'x'.repeat(17 * 1024 ** 2);

  it('rejects a record line longer than 16 MiB without reading it whole', () => {
    const r = verifyPackage(copy(lines((ls) => { ls.splice(10, 0, huge); return ls; })));
    has(r, 'record-invalid', 'line 11 is longer than');
    has(r, 'file-digest-mismatch', 'records.ndjson');
    assert.equal(r.facts.records, verifyPackage(pristine).facts.records); // every other record was still read
  });

  it('rejects an unterminated 17 MiB last line', () => {
    const r = verifyPackage(copy(edit('records.ndjson', (s) => s + huge)));
    has(r, 'record-invalid', 'does not end with a newline');
    has(r, 'record-invalid', 'is longer than');
  });

  it('rejects a proof element or a CSV row larger than 16 MiB', () => {
    const r = verifyPackage(copy(proofs((p) => { p.proofs[3]!.path = [huge]; return p; })));
    has(r, 'proofs-invalid', 'larger than');
    const c = verifyPackage(copy(csvRows((rows) => { rows[5] = `"${huge}`; return rows; })));
    has(c, 'csv-invalid', 'longer than');
  });

  it('rejects a "null" record line and a directory in place of a file, without throwing', () => {
    const r = verifyPackage(copy(lines((ls) => { ls.splice(1, 0, 'null'); return ls; })));
    has(r, 'record-invalid', 'line 2 is not a v1 record');
    const d = verifyPackage(copy((dir) => { rmSync(join(dir, 'proofs.json')); mkdirSync(join(dir, 'proofs.json')); }));
    has(d, 'file-missing', 'proofs.json is not a regular file');
    has(d, 'file-missing', 'proofs.json cannot be read');
    has(d, 'proofs-invalid', 'proofs.json');
  });
});

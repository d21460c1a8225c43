import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { importSources, SourceFileError } from '../../../src/app/sources-import.ts';
import { fixtureContext, GRADE } from './fixture.ts';

const HEADER = 'ip,port,timestamp,timezone,action,file_hash,file_name,reference,peer_id\n';

test('a CSV list is imported with its provenance: who, when, file SHA-256, Admiralty grade; IPs in the one spelling', async () => {
  const f = await fixtureContext();
  try {
    const path = f.file('partner.csv', HEADER
      + '2001:DB8:0:0:0:0:0:1,50000,2025-03-01T13:00:30+01:00,,download,AABBCCDDEEFF00112233445566778899,,P-1,\n'
      + '::ffff:192.0.2.20,,2025-03-02 10:00:10,Europe/Oslo,share,,"holiday-video-0042.mp4",P-2,' + '07'.repeat(20) + '\n');
    const r = await importSources(f.ctx, { file: path, ...GRADE, receivedAt: Date.UTC(2025, 3, 1), note: 'request 17' }, Date.UTC(2025, 3, 2));
    const i = r.import;
    assert.equal(i.rows, 2);
    assert.equal(i.source, 'Partner A');
    assert.equal(`${i.reliability}${i.credibility}`, 'B2');
    assert.equal(i.fileSha256, createHash('sha256').update(readFileSync(path)).digest('hex'));
    assert.equal(i.fileBytes, readFileSync(path).length);
    assert.equal(i.receivedAt, Date.UTC(2025, 3, 1));
    assert.equal(i.importedAt, Date.UTC(2025, 3, 2));
    assert.equal(i.importedBy, 'tester');
    const rows = f.ctx.store.sources.records(i.id, 10);
    assert.deepEqual(rows.map((x) => [x.line, x.ip, x.port, new Date(x.at).toISOString(), x.fileHash, x.fileName, x.peerId]), [
      [2, '2001:db8::1', 50000, '2025-03-01T12:00:30.000Z', 'aabbccddeeff00112233445566778899', null, null],
      [3, '192.0.2.20', null, '2025-03-02T09:00:10.000Z', null, 'holiday-video-0042.mp4', '07'.repeat(20)],
    ]);
    // The same file from the same source again: refused, nothing added.
    await assert.rejects(importSources(f.ctx, { file: path, ...GRADE }), /imported already, as import 1/);
    assert.equal(f.ctx.store.sources.imports().length, 1);
  } finally { await f.done(); }
});

test('JSON and NDJSON lists import the same rows', async () => {
  const f = await fixtureContext();
  try {
    const row = { ip: '192.0.2.20', port: 41000, timestamp: '2025-03-02T09:00:30Z', action: 'download', file_name: 'holiday-video-0042.mp4', reference: 'J-1' };
    const a = await importSources(f.ctx, { file: f.file('a.json', JSON.stringify([row, { ...row, reference: 'J-2', port: null }], null, 1)), ...GRADE });
    const b = await importSources(f.ctx, { file: f.file('b.ndjson', `${JSON.stringify(row)}\n${JSON.stringify({ ...row, reference: 'J-2', port: null })}\n`), ...GRADE });
    const strip = (id: number) => f.ctx.store.sources.records(id, 10).map((x) => [x.ip, x.port, x.at, x.reference]);
    assert.deepEqual(strip(a.import.id), strip(b.import.id));
    assert.equal(a.import.format, 'json');
    assert.equal(b.import.format, 'ndjson');
  } finally { await f.done(); }
});

test('bad input changes nothing: invalid rows are listed with their lines; an unknown time zone; broken structure; bad flags', async () => {
  const f = await fixtureContext();
  try {
    const bad = f.file('bad.csv', HEADER
      + '192.0.2.20,41000,2025-03-02T09:00:30Z,,download,,x.mp4,OK-1,\n'
      + '192.0.2.999,41000,2025-03-02T09:00:30Z,,download,,x.mp4,BAD-IP,\n'
      + '192.0.2.20,70000,2025-03-02T09:00:30Z,,download,,x.mp4,BAD-PORT,\n'
      + '192.0.2.20,41000,2025-03-02T09:00:30,Europe/Olso,download,,x.mp4,BAD-ZONE,\n'
      + '192.0.2.20,41000,2025-03-02T09:00:30Z,,download,,,NO-FILE,\n'
      + '192.0.2.20,41000,2025-03-02T09:00:30Z,,download,xyz,,BAD-HASH,\n'
      + 'fe80::1%eth0,41000,2025-03-02T09:00:30Z,,download,,x.mp4,ZONED,\n');
    await assert.rejects(importSources(f.ctx, { file: bad, ...GRADE, batch: 1 }), (e: unknown) => {
      assert.ok(e instanceof SourceFileError);
      assert.equal(e.exitCode, 2);
      assert.deepEqual(e.problems.map((p) => p.line), [3, 4, 5, 6, 7, 8]);
      assert.match(e.message, /nothing imported: 6 problems/);
      assert.match(e.message, /line 5: unknown time zone "Europe\/Olso"/);
      return true;
    });
    // Nothing of the file is left, not even its valid row 2.
    assert.deepEqual(f.ctx.store.sources.imports(), []);
    assert.deepEqual(f.ctx.store.sources.records(1, 10), []);

    const structural: [string, string, RegExp][] = [
      ['s1.csv', 'ip,port,timestamp,action,file_name,reference,colour\n', /unknown column "colour"/],
      ['s2.csv', 'ip,port,timestamp,action,reference\n', /lacks file_hash and file_name/],
      ['s3.csv', 'ip,timestamp,action,file_name,reference\n192.0.2.1,2025-03-02T09:00:30Z,x,"open,R\n', /line 2: a quoted field is not closed/],
      ['s4.json', '[{"ip":"192.0.2.1","timestamp":"2025-03-02T09:00:30Z","action":"x","file_name":"a","reference":"r"},', /ends before the closing/],
      ['s5.ndjson', '{"ip":"192.0.2.1","timestamp":"2025-03-02T09:00:30Z","action":"x","file_name":"a","reference":"r","tz":"UTC"}\n', /unknown field "tz"/],
      ['s6.ndjson', '{"ip":"192.0.2.1","port":"8o","timestamp":"2025-03-02T09:00:30Z","action":"x","file_name":"a","reference":"r"}\n', /port must be a whole number/],
      ['s7.csv', '', /the file is empty/],
      ['s8.csv', 'ip,timestamp,action,file_name,reference\n', /no rows/],
    ];
    for (const [name, text, re] of structural) {
      await assert.rejects(importSources(f.ctx, { file: f.file(name, text), ...GRADE }), re, name);
    }
    const good = f.file('good.csv', 'ip,timestamp,action,file_name,reference\n192.0.2.1,2025-03-02T09:00:30Z,x,a,r\n');
    await assert.rejects(importSources(f.ctx, { file: good, ...GRADE, reliability: 'G' }), /--reliability/);
    await assert.rejects(importSources(f.ctx, { file: good, ...GRADE, credibility: '7' }), /--credibility/);
    await assert.rejects(importSources(f.ctx, { file: f.file('x.txt', 'a'), ...GRADE }), /--format/);
    assert.deepEqual(f.ctx.store.sources.imports(), []);
  } finally { await f.done(); }
});

test('an import left loading by a process that died is removed by the next import and never read', async () => {
  const f = await fixtureContext();
  try {
    const s = f.ctx.store.sources;
    const id = s.beginImport({ source: 'x', receivedAt: 0, importedAt: 0, importedBy: 't', fileName: 'x.csv', format: 'csv', reliability: 'F', credibility: 6, note: '', pid: 2 ** 22 + 12345 });
    s.addRecords(id, [{ line: 2, ip: '203.0.113.7', port: null, at: Date.UTC(2025, 2, 1, 12), timestampText: 't', timezone: null, action: 'a', fileHash: null, fileName: 'f', reference: 'r', peerId: null }]);
    assert.deepEqual(s.imports(), []);
    const r = await importSources(f.ctx, { file: f.file('g.csv', 'ip,timestamp,action,file_name,reference\n192.0.2.1,2025-03-02T09:00:30Z,x,a,r\n'), ...GRADE });
    assert.notEqual(r.import.id, id);
    assert.deepEqual(s.records(id, 10), []);
    assert.deepEqual(s.imports().map((i) => i.id), [r.import.id]);
    assert.deepEqual(s.records(r.import.id, 10).map((x) => x.ip), ['192.0.2.1']);
  } finally { await f.done(); }
});

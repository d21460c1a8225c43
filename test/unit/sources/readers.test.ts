import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CsvError, MAX_RECORD, readCsv } from '../../../src/sources/csv-reader.ts';
import { readLines } from '../../../src/sources/chunked-text.ts';
import { JsonRowError, MAX_OBJECT, readJsonArray, readNdjson } from '../../../src/sources/json-reader.ts';

/** The text cut into chunks of `size` bytes, so records and characters straddle chunk edges. */
async function* chunks(text: string, size: number): AsyncGenerator<Uint8Array> {
  const b = Buffer.from(text);
  for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size);
}
const all = async <T>(g: AsyncGenerator<T[]>): Promise<T[]> => { const out: T[] = []; for await (const xs of g) out.push(...xs); return out; };

test('CSV: quoted fields with commas, quotes and line breaks; CRLF; line numbers; any chunking', async () => {
  const text = 'a,b,c\r\n1,"x, y",3\r\n"multi\nline","say ""hi""",\n4,5,ø6\n';
  for (const size of [1, 2, 3, 7, 1000]) {
    const recs = await all(readCsv(chunks(text, size)));
    assert.deepEqual(recs, [
      { line: 1, fields: ['a', 'b', 'c'] },
      { line: 2, fields: ['1', 'x, y', '3'] },
      { line: 3, fields: ['multi\nline', 'say "hi"', ''] },
      { line: 5, fields: ['4', '5', 'ø6'] },
    ], `chunk size ${size}`);
  }
});

test('CSV: strict refusals name the line', async () => {
  const cases: [string, RegExp, number][] = [
    ['a,b\n1,2,3\n', /3 fields where the header has 2/, 2],
    ['a,b\n1,x"y\n', /a quote inside an unquoted field/, 2],
    ['a,b\n1,"x"y\n', /"y" after a closing quote/, 2],
    ['a,b\n1,"open\n2,3\n', /a quoted field is not closed/, 2],
    ['a,b\n\n1,2\n', /an empty line/, 2],
    [`a\n${'x'.repeat(MAX_RECORD + 1)}\n`, /longer than/, 2],
  ];
  for (const [text, re, line] of cases) {
    await assert.rejects(all(readCsv(chunks(text, 5))), (e: unknown) => e instanceof CsvError && re.test(e.message) && e.line === line, text.slice(0, 30));
  }
  await assert.rejects(all(readCsv((async function* () { yield Buffer.from([0x61, 0x0a, 0xff, 0x0a]); })())), /not UTF-8/);
});

test('NDJSON and JSON arrays: rows with their lines; broken structure refused', async () => {
  const nd = '{"a":1}\n{"a":"x\\ny"}\r\n{"a":{"b":[1,2]}}';
  for (const size of [1, 4, 100]) {
    assert.deepEqual(await all(readNdjson(chunks(nd, size))), [{ line: 1, value: { a: 1 } }, { line: 2, value: { a: 'x\ny' } }, { line: 3, value: { a: { b: [1, 2] } } }]);
  }
  const arr = '[\n {"a":"}]"},\n {"a":2}\n]\n';
  for (const size of [1, 3, 100]) assert.deepEqual(await all(readJsonArray(chunks(arr, size))), [{ line: 2, value: { a: '}]' } }, { line: 3, value: { a: 2 } }]);
  assert.deepEqual(await all(readJsonArray(chunks('[]', 1))), []);
  const bad: [AsyncGenerator<unknown[]>, RegExp][] = [
    [readNdjson(chunks('{"a":1}\n\n{"a":2}\n', 3)), /an empty line/],
    [readNdjson(chunks('{"a":1}\n[1]\n', 3)), /must be a JSON object/],
    [readNdjson(chunks('{"a":1,}\n', 3)), /not JSON/],
    [readJsonArray(chunks('{"a":1}', 3)), /one array of row objects/],
    [readJsonArray(chunks('[{"a":1} {"a":2}]', 3)), /expected , or \]/],
    [readJsonArray(chunks('[{"a":1},', 3)), /ends before the closing/],
    [readJsonArray(chunks('[{"a":1', 3)), /ends inside a row/],
    [readJsonArray(chunks('[{"a":1}] x', 3)), /text after the closing/],
    [readJsonArray(chunks('[1]', 3)), /must be a JSON object/],
    // Bounded: a row longer than MAX_OBJECT is refused before it is held whole.
    [readJsonArray(chunks(`[{"a":"${'x'.repeat(MAX_OBJECT)}"}]`, 4096)), /a row longer than/],
    [readNdjson(chunks(`{"a":"${'x'.repeat(MAX_OBJECT)}"}\n`, 4096)), /a row longer than/],
  ];
  for (const [g, re] of bad) await assert.rejects(all(g), (e: unknown) => e instanceof JsonRowError && re.test(e.message));
});

const drain = async (g: AsyncGenerator<unknown>): Promise<void> => { for await (const _ of g) { /* read to the end */ } };

test('the shared chunk loop: lines with their numbers in any chunking, a CR kept, a last line without a break, bounded lines', async () => {
  const text = 'a\r\nø\n\nlast';
  for (const size of [1, 2, 5, 100]) {
    const got: [number, string][] = [];
    for await (const b of readLines(chunks(text, size), 10, (line, why) => new Error(`${line} ${why}`))) b.lines.forEach((l, i) => got.push([b.first + i, l]));
    assert.deepEqual(got, [[1, 'a\r'], [2, 'ø'], [3, ''], [4, 'last']], `chunk size ${size}`);
  }
  await assert.rejects(drain(readLines(chunks('ok\ntoo long a line\n', 4), 10, (line, why) => new Error(`${line} ${why}`))), /^Error: 2 too-long$/);
  await assert.rejects(drain(readLines(chunks('ok\nno line break and too long', 4), 10, (line, why) => new Error(`${line} ${why}`))), /^Error: 2 too-long$/);
  await assert.rejects(drain(readLines((async function* () { yield Buffer.from('a\nb\n'); yield Buffer.from([0xc3]); })(), 10, (line, why) => new Error(`${line} ${why}`))), /^Error: 3 not-utf8$/);
});

test('CSV: a quoted record over several lines (CRLF inside the quotes kept), and refusals in it name their own line', async () => {
  const text = 'a,b\r\n"x\r\ny\r\nz",2\r\n3,4\r\n';
  for (const size of [1, 3, 1000]) {
    assert.deepEqual(await all(readCsv(chunks(text, size))), [{ line: 1, fields: ['a', 'b'] }, { line: 2, fields: ['x\r\ny\r\nz', '2'] }, { line: 5, fields: ['3', '4'] }]);
  }
  const cases: [string, RegExp, number][] = [
    ['a,b\n"x\ny"z,1\n', /"z" after a closing quote/, 3],
    ['a,b\n"x\ny",1"\n', /a quote inside an unquoted field/, 3],
    ['a,b\n1,2\n"x\ny\n', /a quoted field is not closed/, 3],
  ];
  for (const [t, re, line] of cases) {
    await assert.rejects(all(readCsv(chunks(t, 2))), (e: unknown) => e instanceof CsvError && re.test(e.message) && e.line === line, t);
  }
});

test('JSON: an array on one line (JSON.stringify without indent) far longer than a row is read row by row', async () => {
  const rows = Array.from({ length: 3000 }, (_, i) => ({ ip: '192.0.2.1', reference: `R-${i}`, note: 'x'.repeat(20) }));
  const text = JSON.stringify(rows);
  assert.ok(text.length > 2 * MAX_OBJECT);
  const got = await all(readJsonArray(chunks(text, 4096)));
  assert.equal(got.length, 3000);
  assert.deepEqual(got[2999], { line: 1, value: rows[2999] });
});

test('JSON: escapes, nesting and line breaks inside rows, at every chunk edge; the lines of the rows after them', async () => {
  const text = '[{"a":"q\\"}\\\\","b":[1,{"c":"]"}]},\n {\n  "a": "x\\ny\\\\\\"",\n  "b": {}\n },\n\n {"a":"ø{"}]';
  const want = [
    { line: 1, value: { a: 'q"}\\', b: [1, { c: ']' }] } },
    { line: 2, value: { a: 'x\ny\\"', b: {} } },
    { line: 7, value: { a: 'ø{' } },
  ];
  for (const size of [1, 2, 3, 5, 7, 1000]) assert.deepEqual(await all(readJsonArray(chunks(text, size))), want, `chunk size ${size}`);
  // A raw line break inside a string is not JSON: the row is refused with its line, and the next row keeps its own.
  await assert.rejects(all(readJsonArray(chunks('[{"a":"x\ny"},\n{"a":1}]', 2))), (e: unknown) => e instanceof JsonRowError && e.line === 1 && /not JSON/.test(e.message));
});

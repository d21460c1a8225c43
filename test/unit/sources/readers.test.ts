import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CsvError, MAX_RECORD, readCsv } from '../../../src/sources/csv-reader.ts';
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

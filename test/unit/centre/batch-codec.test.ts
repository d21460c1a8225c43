import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BatchFormatError, decodeBatch, encodeBatch } from '../../../src/centre/batch-codec.ts';
import type { Lines } from '../../../src/centre/read-batch.ts';

const bounds = { maxRecords: 3, maxCheckpoints: 1 };
/** Each record's bytes, as the batch's lines say. */
const linesOf = (l: Lines) => Array.from({ length: l.starts.length - 1 }, (_, i) => Buffer.from(l.bytes.subarray(l.starts[i]!, l.starts[i + 1]! - 1)));
const texts = ['{"at":1,"kind":"delivery","obs":{"client":"a\\"b\\nc"}}', '{"at":2}'];

test('a batch round-trips: header, then each record text byte for byte on its own line', () => {
  const cp = { text: '{"tree_size":2}', signature: 'c2ln' };
  const body = encodeBatch({ first: 7, texts, checkpoints: [cp], backlog: 5 });
  assert.equal(body.toString('utf8').split('\n').length, 4, 'header + 2 records + the empty rest after the last newline');
  const { lines, ...decoded } = decodeBatch(body, bounds);
  assert.deepEqual(decoded, { records: [{ seq: 7, text: texts[0] }, { seq: 8, text: texts[1] }], checkpoints: [cp], backlog: 5 });
  assert.deepEqual(linesOf(lines!), texts.map((t) => Buffer.from(t, 'utf8')), 'each line is the record\'s bytes');
  assert.ok(lines!.starts.every((s) => lines!.bytes[s - 1] === 10), 'a newline before each line (the leaf prefix stands in for it while hashing)');
  const { lines: none, ...empty } = decodeBatch(encodeBatch({ first: 0, texts: [], checkpoints: [], backlog: 0 }), bounds);
  assert.deepEqual(empty, { records: [], checkpoints: [], backlog: 0 });
  assert.deepEqual(linesOf(none!), []);
});

test('a batch with non-ASCII texts decodes each line from its bytes, and a body that is not UTF-8 is refused', () => {
  const odd = ['{"at":1,"obs":{"name":"sommerferie-Ærø-0042.mp4"}}', '{"at":2,"obs":{"name":"ferie-日本-0043.mp4"}}', '{"at":3}'];
  const { records, lines } = decodeBatch(encodeBatch({ first: 0, texts: odd, checkpoints: [], backlog: 0 }), bounds);
  assert.deepEqual(records.map((r) => r.text), odd);
  assert.deepEqual(linesOf(lines!), odd.map((t) => Buffer.from(t, 'utf8')));
  const bad = Buffer.concat([Buffer.from('{"backlog":0,"checkpoints":[],"count":1,"first":0}\n{"at":"', 'utf8'), Buffer.from([0xc3, 0x28]), Buffer.from('"}\n')]);
  assert.throws(() => decodeBatch(bad, bounds), /not UTF-8/);
});

test('a text with a raw newline is not canonical JSON and is not sent', () => {
  assert.throws(() => encodeBatch({ first: 0, texts: ['{"a":\n1}'], checkpoints: [], backlog: 0 }), BatchFormatError);
});

test('malformed or oversized bodies are refused whole', () => {
  const ok = encodeBatch({ first: 0, texts, checkpoints: [], backlog: 0 }).toString('utf8');
  const bad = (s: string) => assert.throws(() => decodeBatch(Buffer.from(s, 'utf8'), bounds), BatchFormatError, s.slice(0, 60));
  bad('');
  bad('no header line');
  bad('[1]\n');
  bad('{"backlog":0,"checkpoints":[],"count":2,"first":-1}\n');
  bad('{"backlog":0,"checkpoints":[],"count":4,"first":0}\n');
  bad('{"backlog":0,"checkpoints":[{},{}],"count":0,"first":0}\n');
  bad('{"backlog":-1,"checkpoints":[],"count":0,"first":0}\n');
  bad(ok.replace('"count":2', '"count":3'));
  bad(`${ok}{"extra":1}\n`);
  bad(ok.slice(0, -1));
});

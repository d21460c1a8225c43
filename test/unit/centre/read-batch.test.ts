import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { encodeBatch } from '../../../src/centre/batch-codec.ts';
import { readBatch, readBatchBody, RefusedBatch } from '../../../src/centre/read-batch.ts';
import { ReadPool, ReadUnavailable } from '../../../src/centre/read-pool.ts';
import { segmentTexts } from '../../../src/centre/segments.ts';
import { leafHashOfText } from '../../../src/evidence/merkle.ts';
import { testNode, type TestNode } from '../../helpers/centre-node.ts';

/** Reading a batch (read-batch.ts) and the read workers' pool (read-pool.ts), without a database. */
describe('centre: a batch read before it is stored', () => {
  let n: TestNode;
  let texts: string[];
  before(async () => { n = await testNode(1); await n.record(50); texts = [...n.ev.table.range(0, 50)].map((r) => r.text); });
  after(async () => { await n?.dispose(); });

  it('hashes each record\'s bytes as received and leaves the body as it was: a segment is the body\'s lines', () => {
    const body = encodeBatch({ first: 0, texts, checkpoints: [], backlog: 3 });
    const copy = Buffer.from(body);
    const read = readBatchBody(n.ev.key.fingerprint, body);
    assert.ok(body.equals(copy), 'the body is unchanged (the leaf prefix stood in for each newline only while hashing)');
    assert.deepEqual([read.first, read.count, read.breakAt, read.backlog], [0, 50, -1, 3]);
    assert.deepEqual(Array.from({ length: 50 }, (_, i) => read.leaves.subarray(i * 32, i * 32 + 32)), texts.map((t) => leafHashOfText(t)));
    assert.equal(segmentTexts(read.lines, 0, 49).toString('utf8'), texts.join('\n'));
    assert.equal(segmentTexts(read.lines, 10, 12).toString('utf8'), texts.slice(10, 13).join('\n'));
    // The same records given as texts (CentreDb.ingest): the same hashes and lines.
    const asTexts = readBatch(n.ev.key.fingerprint, { records: texts.map((text, seq) => ({ seq, text })), checkpoints: [] });
    assert.ok(asTexts.leaves.equals(read.leaves));
    assert.equal(segmentTexts(asTexts.lines, 0, 49).toString('utf8'), texts.join('\n'));
    assert.throws(() => readBatch(n.ev.key.fingerprint, { records: [{ seq: 0, text: texts[0]!.replace('{"at"', '{\n"at"') }], checkpoints: [] }),
      (e: unknown) => e instanceof RefusedBatch && e.reason === 'bad-record' && /newline/.test(e.message));
  });

  it('a read pool holds at most maxWaiting bodies waiting for a worker, and refuses the rest, and what waits at close, with ReadUnavailable', async () => {
    const pool = new ReadPool({ size: 1, maxWaiting: 1, timeoutMs: 30_000, entry: new URL('../../helpers/failing-read-worker.ts', import.meta.url) });
    // backlog 903: the worker never answers, so the first body holds the worker and the second waits.
    const hang = () => encodeBatch({ first: 0, texts: texts.slice(0, 2), checkpoints: [], backlog: 903 });
    const first = pool.read(n.ev.key.fingerprint, hang());
    const second = pool.read(n.ev.key.fingerprint, hang());
    await assert.rejects(pool.read(n.ev.key.fingerprint, hang()), /1 batches wait to be read/);
    const refused = [assert.rejects(first, ReadUnavailable), assert.rejects(second, ReadUnavailable)];
    await pool.close();
    await Promise.all(refused);
    await assert.rejects(pool.read(n.ev.key.fingerprint, hang()), ReadUnavailable);
  });
});

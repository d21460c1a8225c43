/**
 * A read worker (read-pool.ts): decodes and reads each request body it is given (read-batch.ts
 * readBatchBody: every record parsed, hashed and linked to the one before it), one at a time, and hands
 * back what it found, or why the batch is refused. It stores nothing.
 */
import { parentPort } from 'node:worker_threads';
import { BatchFormatError } from './batch-codec.ts';
import { readBatchBody, RefusedBatch } from './read-batch.ts';
import type { ReadJob, ReadReply } from './read-pool.ts';

const port = parentPort!;
port.on('message', (job: ReadJob) => {
  let reply: ReadReply;
  let transfer: ArrayBuffer[] = [];
  try {
    const read = readBatchBody(job.fingerprint, Buffer.from(job.body.buffer, job.body.byteOffset, job.body.byteLength));
    reply = { id: job.id, ok: true, read };
    // Handed back without a copy: the leaf hashes, times and line starts, and the body (the segment's texts).
    transfer = [read.leaves.buffer, read.ats.buffer, read.lines.starts.buffer, job.body.buffer] as ArrayBuffer[];
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    reply = { id: job.id, ok: false, kind: e instanceof BatchFormatError ? 'format' : e instanceof RefusedBatch ? 'refused' : 'failed', reason: e instanceof RefusedBatch ? e.reason : '', message };
  }
  port.postMessage(reply, transfer);
});

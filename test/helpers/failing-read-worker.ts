/**
 * A read worker that fails on purpose (test/unit/centre/read-workers.test.ts): a batch whose header
 * says backlog 901 makes it exit, 902 throw, 903 never answer; any other batch is answered as the
 * real worker (src/centre/read-worker.ts) answers it.
 */
import { parentPort } from 'node:worker_threads';
import { answerReadJob, type ReadJob } from '../../src/centre/read-pool.ts';

const port = parentPort!;
port.on('message', (job: ReadJob) => {
  const body = Buffer.from(job.body.buffer, job.body.byteOffset, job.body.byteLength);
  const backlog = (JSON.parse(body.toString('utf8', 0, body.indexOf(10))) as { backlog: number }).backlog;
  if (backlog === 901) process.exit(3);
  if (backlog === 902) throw new Error('a read worker failing on purpose');
  if (backlog === 903) { const until = Date.now() + 60_000; while (Date.now() < until) { /* a worker that never answers */ } }
  const { reply, transfer } = answerReadJob(job);
  port.postMessage(reply, transfer);
});

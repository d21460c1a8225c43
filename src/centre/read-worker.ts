/**
 * A read worker (read-pool.ts): reads each request body it is given (answerReadJob: decoded, every
 * record parsed, hashed and linked to the one before it), one at a time, and hands back what it
 * found, or why the batch is refused. It stores nothing.
 */
import { parentPort } from 'node:worker_threads';
import { answerReadJob, type ReadJob } from './read-pool.ts';

const port = parentPort!;
port.on('message', (job: ReadJob) => { const { reply, transfer } = answerReadJob(job); port.postMessage(reply, transfer); });

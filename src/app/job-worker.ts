/** Worker entry for runOffThread (off-thread.ts): opens the data directory, runs one long use case, posts its result. */
import { parentPort, workerData } from 'node:worker_threads';
import type { Settings } from '../config/settings.ts';
import { withContext } from './context.ts';
import { writeHashList } from './decoy-hashes.ts';
import { InterruptedError } from './errors.ts';
import { exportEvidence, type ExportEvidenceInput } from './evidence.ts';
import { postedError, type Job } from './off-thread.ts';

const { settings, job } = workerData as { settings: Settings; job: Job };
const port = parentPort!;
const stop = new AbortController();
port.on('message', (m) => { if (m === 'abort') stop.abort(new InterruptedError()); });

try {
  const result = await withContext<unknown>(settings, (log) => port.postMessage({ log }), (ctx) => {
    switch (job.kind) {
      // A synchronous stream of records: it is stopped by terminating the worker (the caller cleans up).
      case 'export-evidence': return exportEvidence(ctx, job.input as ExportEvidenceInput);
      case 'hash-list': return writeHashList(ctx, { out: job.input.out, signal: stop.signal, onProgress: (done, total) => port.postMessage({ progress: [done, total] }) });
    }
  });
  port.postMessage({ ok: true, result });
} catch (e) {
  port.postMessage({ ok: false, error: postedError(e) });
}
port.close();

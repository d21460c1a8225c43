/** Worker entry for verifyEvidence({ offThread: true }): runs the pure offline verifier once and posts its result. */
import { parentPort, workerData } from 'node:worker_threads';
import { verifyPackage } from '../../verifier/verify.mjs';

const { dir, opts } = workerData as { dir: string; opts: Parameters<typeof verifyPackage>[1] };
try {
  parentPort!.postMessage({ ok: true, result: verifyPackage(dir, opts) });
} catch (e) {
  parentPort!.postMessage({ ok: false, error: e instanceof Error ? e.message : String(e) });
}

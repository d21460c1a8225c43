import { Worker } from 'node:worker_threads';
import { InputError } from '../domain/errors.ts';
import { readPublished, verifyPackage, type Published, type VerifyResult } from '../../verifier/verify.mjs';
import { InterruptedError } from './errors.ts';

export type { VerifyResult } from '../../verifier/verify.mjs';
/** The verifier's own text report of a result (what a defence expert's run prints). */
export { formatReport } from '../../verifier/verify.mjs';

export interface VerifyEvidenceInput {
  /** The package directory. */
  readonly dir: string;
  /** The published node key fingerprint the package must be signed with. */
  readonly keyFingerprint?: string;
  /** Checkpoints published earlier (readPublishedCheckpoints): a shortened or rewritten log is found. */
  readonly published?: readonly Published[];
}

export type { Published } from '../../verifier/verify.mjs';

/** Lines of `evidence checkpoints` from a file; InputError when it cannot be read or parsed. */
export function readPublishedCheckpoints(file: string): Published[] {
  try { return readPublished(file); } catch (e) { throw new InputError(`--published ${file}: ${(e as Error).message}`); }
}

export interface VerifyEvidenceOptions {
  /**
   * Run on a worker thread, so the caller's event loop keeps serving (an HTTP request handler).
   * The verifier reads and hashes the whole package synchronously: seconds for 100,000 records.
   */
  readonly offThread?: boolean;
  /** Stops an off-thread run (terminates the worker); the promise rejects with InterruptedError. */
  readonly signal?: AbortSignal;
}

/** A worker's own heap: the verifier streams the large files, so this only stops a runaway package. */
const WORKER_HEAP = { maxOldGenerationSizeMb: 256, maxYoungGenerationSizeMb: 16 };

/**
 * Checks an evidence package offline with the same verifier a defence expert runs
 * (verifier/verify.mjs): signatures, chain, inclusion proofs, CSV. Tampering is a finding in the
 * result (`ok: false`), never an exception; the verifier is pure, so it runs inline or off-thread
 * with identical results.
 */
export function verifyEvidence(input: VerifyEvidenceInput, opts: VerifyEvidenceOptions = {}): Promise<VerifyResult> {
  if (input.dir === '') return Promise.reject(new InputError('expected a package directory'));
  const verifierOpts = { ...(input.keyFingerprint !== undefined ? { keyFingerprint: input.keyFingerprint } : {}), ...(input.published ? { published: [...input.published] } : {}) };
  if (!opts.offThread) return Promise.resolve(verifyPackage(input.dir, verifierOpts));
  if (opts.signal?.aborted) return Promise.reject(new InterruptedError('verification interrupted'));
  // A worker inherits the process's flags, but --input-type (node -e) would stop one started from a file.
  const execArgv = process.execArgv.some((a) => a.startsWith('--input-type')) ? process.execArgv.filter((a) => !a.startsWith('--input-type')) : undefined;
  const worker = new Worker(new URL('./verify-worker.ts', import.meta.url), {
    name: 'counterseed-verify', workerData: { dir: input.dir, opts: verifierOpts }, resourceLimits: WORKER_HEAP, ...(execArgv && { execArgv }),
  });
  return new Promise<VerifyResult>((resolve, reject) => {
    let settled = false;
    const settle = (f: () => void) => { if (settled) return; settled = true; opts.signal?.removeEventListener('abort', onAbort); f(); };
    const onAbort = () => settle(() => { void worker.terminate(); reject(new InterruptedError('verification interrupted')); });
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    worker.once('message', (m: { ok: true; result: VerifyResult } | { ok: false; error: string }) => settle(() => {
      if (m.ok) resolve(m.result); else reject(new Error(`the verifier failed: ${m.error}`));
    }));
    worker.once('error', (e) => settle(() => reject(new Error(`the verify worker crashed: ${e instanceof Error ? e.message : String(e)}`))));
    worker.once('exit', (code) => settle(() => reject(new Error(`the verify worker exited (code ${code}) without a result`))));
  });
}

import { Worker } from 'node:worker_threads';
import type { Settings } from '../config/settings.ts';
import { BusyError, CounterseedError, InputError, NotFoundError } from '../domain/errors.ts';
import { NameListError } from '../decoy/errors.ts';
import { EvidenceError } from '../evidence/errors.ts';
import { ExportError } from '../exports/errors.ts';
import { InterruptedError, StoreCapabilityError } from './errors.ts';

/**
 * Long use cases on a worker thread (issue 16, item 1): an evidence export of 100,000 records or a
 * hash list keeps its caller's thread busy for seconds to hours, so a request handler runs them here
 * and its event loop keeps serving. The worker (job-worker.ts) opens its own Context on the same data
 * directory (a second SQLite connection, as a second `counterseed` process would), runs the one use
 * case and posts its result; errors come back as the same named errors, so exit codes and HTTP
 * statuses map them as if the call had been inline. Same pattern as verify-evidence.ts.
 */
export type Job =
  | { readonly kind: 'export-evidence'; readonly input: unknown }
  | { readonly kind: 'hash-list'; readonly input: { readonly out: string } };

export interface OffThreadOptions {
  /** Aborts the job: the worker is asked to stop (the use case cleans up), then terminated; rejects with InterruptedError. */
  readonly signal?: AbortSignal;
  readonly onProgress?: (done: number, total: number) => void;
  readonly log?: (m: string) => void;
  /**
   * Runs after the worker was terminated without a result (abort past the grace time, a crash): undoes
   * what the job may have half-written. A job whose use case honours the signal cleans up itself.
   */
  readonly afterTerminate?: () => void;
}

/** An error as posted by the worker. */
export interface PostedError { readonly name: string; readonly message: string; readonly exitCode?: number; readonly code?: string }

type FromWorker = { readonly ok: true; readonly result: unknown } | { readonly ok: false; readonly error: PostedError }
  | { readonly progress: readonly [number, number] } | { readonly log: string };

/** The worker's own heap: these jobs stream their records and decoys, so this only stops a runaway. */
const WORKER_HEAP = { maxOldGenerationSizeMb: 512, maxYoungGenerationSizeMb: 16 };
/** After asking a job to stop, how long it has to clean up before the worker is terminated. */
const STOP_GRACE_MS = 5_000;

const NAMED: Record<string, (m: string) => Error> = {
  InputError: (m) => new InputError(m), NotFoundError: (m) => new NotFoundError(m), BusyError: (m) => new BusyError(m),
  InterruptedError: (m) => new InterruptedError(m), StoreCapabilityError: (m) => new StoreCapabilityError(m),
  EvidenceError: (m) => new EvidenceError(m), ExportError: (m) => new ExportError(m), NameListError: (m) => new InputError(m),
};

/** The worker's error as the caller's: the same named class, or its exit code, or its OS error code. */
export function reviveError(e: PostedError): Error {
  const named = NAMED[e.name];
  if (named) return named(e.message);
  if (e.exitCode !== undefined) return new CounterseedError(e.message, e.exitCode);
  return Object.assign(new Error(e.message), e.code !== undefined ? { code: e.code } : {});
}

export function postedError(e: unknown): PostedError {
  if (!(e instanceof Error)) return { name: 'Error', message: String(e) };
  // A name list's issues are in its message already; it is an InputError to the caller.
  const name = e instanceof NameListError ? 'NameListError' : e.name;
  const code = (e as { code?: unknown }).code;
  return { name, message: e.message, ...(e instanceof CounterseedError ? { exitCode: e.exitCode } : {}), ...(typeof code === 'string' ? { code } : {}) };
}

/** Runs `job` against the data directory of `settings` on a worker thread; resolves with its result. */
export function runOffThread<R>(settings: Settings, job: Job, opts: OffThreadOptions = {}): Promise<R> {
  if (opts.signal?.aborted) return Promise.reject(new InterruptedError());
  // A worker inherits the process's flags, but --input-type (node -e) would stop one started from a file.
  const execArgv = process.execArgv.some((a) => a.startsWith('--input-type')) ? process.execArgv.filter((a) => !a.startsWith('--input-type')) : undefined;
  const worker = new Worker(new URL('./job-worker.ts', import.meta.url), {
    name: `counterseed-${job.kind}`, workerData: { settings, job }, resourceLimits: WORKER_HEAP, ...(execArgv && { execArgv }),
  });
  return new Promise<R>((resolve, reject) => {
    let settled = false;
    let kill: NodeJS.Timeout | undefined;
    const settle = (f: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(kill);
      opts.signal?.removeEventListener('abort', onAbort);
      f();
    };
    const onAbort = () => {
      worker.postMessage('abort');
      kill = setTimeout(() => settle(() => {
        void worker.terminate().finally(() => opts.afterTerminate?.());
        reject(new InterruptedError());
      }), opts.afterTerminate ? 0 : STOP_GRACE_MS);
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (m: FromWorker) => {
      if ('progress' in m) { opts.onProgress?.(m.progress[0], m.progress[1]); return; }
      if ('log' in m) { opts.log?.(m.log); return; }
      settle(() => (m.ok ? resolve(m.result as R) : reject(reviveError(m.error))));
    });
    worker.once('error', (e) => settle(() => { opts.afterTerminate?.(); reject(new Error(`the ${job.kind} worker crashed: ${e instanceof Error ? e.message : String(e)}`)); }));
    worker.once('exit', (code) => settle(() => { opts.afterTerminate?.(); reject(new Error(`the ${job.kind} worker exited (code ${code}) without a result`)); }));
  });
}

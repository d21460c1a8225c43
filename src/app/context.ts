/**
 * The application layer (issue 16 §1): one function per use case, called by the CLI today and
 * by the HTTP API later. A use case takes an open Context (one data directory) and typed input,
 * and returns a typed result or throws a named error (src/domain/errors.ts and each module's
 * errors.ts); it never sees argv, stdout, HTTP or exit codes. src/cli/exit-codes.ts is the one
 * place errors become exit codes.
 *
 * How a request handler calls them without blocking its event loop for long:
 * - Queries and small writes run inline: they are bounded (a limit on every list), and
 *   `streamDeliveries` reads deliveries a page at a time as an async iterable for a streamed response.
 * - `verifyEvidence` is pure (it reads a package directory) and runs on a worker thread with
 *   `{ offThread: true }`; the handler awaits its promise and can abort it with a signal.
 * - `exportEvidence`, `writeDecoy`, `writeHashList`, `buildDecoys` and campaign steps hash or
 *   write up to 100,000 records or gigabytes; each takes an AbortSignal and writes its result to
 *   a path, so the HTTP layer runs them as jobs in a child process of their own
 *   (`counterseed <command>` with a --data DIR, one job per request, its output directory served
 *   when the child exits 0). They stay plain functions so the child and the CLI share them.
 * - `startNode` is the long-running node; the HTTP layer does not start one per request.
 */
import type { Settings } from '../config/settings.ts';
import { openContext, type Context } from '../node/context.ts';
import { withDataDirLock } from '../node/data-dir-lock.ts';
import { checkPurpose, type DataUse } from '../node/data-purpose.ts';

export type { Context } from '../node/context.ts';
export type { DataUse } from '../node/data-purpose.ts';

/**
 * Opens the data directory of `settings`, runs `use`, and closes the store whatever happens.
 * `dataUse` (issue 15 item 2): 'evidence' by default, so a command that writes refuses lab and
 * synthetic data; read-only analysis commands pass 'read' (any purpose, shown on their output).
 */
export async function withContext<T>(settings: Settings, log: (m: string) => void, use: (ctx: Context) => Promise<T> | T, dataUse: DataUse = 'evidence'): Promise<T> {
  const ctx = openContext(settings, log, undefined, dataUse);
  try {
    return await use(ctx);
  } finally {
    await ctx.close();
  }
}

/**
 * withContext for the one writer of a data directory (a node, the lab): the directory is locked
 * before the database is opened and stays locked until it is closed (exit 75 if another node holds it).
 */
export async function withLockedContext<T>(settings: Settings, holder: string, log: (m: string) => void, use: (ctx: Context) => Promise<T> | T, dataUse: DataUse = 'evidence'): Promise<T> {
  // Refused before the lock file is made: nothing is written to a directory of another purpose.
  checkPurpose(settings.dataDir, dataUse);
  return withDataDirLock(settings.dataDir, holder, () => withContext(settings, log, use, dataUse));
}

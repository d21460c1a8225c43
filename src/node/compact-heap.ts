import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** V8's gc() extension; flavor 'last-resort' is Heap::CollectAllAvailableGarbage (memory-reducing, compacting). */
type GcExtension = (options: { type: 'major'; execution: 'sync'; flavor: 'last-resort' }) => void;

/**
 * One memory-reducing full garbage collection, for a long-running process once its start-up load
 * is done; returns the pause in ms.
 *
 * Why: the pages a full GC frees from the old space stay in V8's page pool, committed, until a
 * memory-reducing GC, and a busy node seldom gets one (the memory reducer waits for an idle mutator).
 * Loading 100,000 decoys promotes 20-30 MB of short-lived rows; the mark-compact that frees them
 * left 8-22 MB pooled, depending on when during the load it ran: the real process's RSS at ready
 * was bimodal, 106-123 MB, and 85-87 MB after this call (bench/README.md, many-decoys).
 *
 * Node exposes no such GC without --expose-gc on the command line, which would also change V8's
 * flag hash and so miss the compile cache. The flag is set only while a fresh context is made to
 * take the function from, then unset: the process's own global never gets a `gc`.
 */
export function compactHeap(): number {
  setFlagsFromString('--expose-gc');
  let gc: GcExtension;
  try { gc = runInNewContext('gc') as GcExtension; } finally { setFlagsFromString('--no-expose-gc'); }
  const t0 = performance.now();
  gc({ type: 'major', execution: 'sync', flavor: 'last-resort' });
  return performance.now() - t0;
}

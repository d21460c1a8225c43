/**
 * A part of a running node with a lifecycle (cf. js-libp2p's Startable): `start` may be cancelled
 * through its signal, `stop` undoes `start` and is safe to call once whatever start managed to do.
 */
export interface Startable {
  /** A short name for logs ("bittorrent", "seeder 127.0.0.1"). */
  readonly name: string;
  start(signal: AbortSignal): Promise<void>;
  stop(): Promise<void>;
}

/** Parts started by startInOrder, stopped together. */
export interface StartedParts {
  /**
   * Stops every part, the last started first. A part that fails to stop is logged and the others
   * still stop; then the first such error is thrown (a recorder that could not write must not look like a clean stop).
   */
  stop(): Promise<void>;
}

/** The error start-up fails with when its signal is aborted (the signal's reason when it is an Error). */
function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new DOMException('start-up aborted', 'AbortError');
}

/** Stops the parts, last first, each whatever the others did; returns the errors, in that order. */
async function stopAll(started: readonly Startable[], log: (m: string) => void): Promise<unknown[]> {
  const errors: unknown[] = [];
  for (const p of [...started].reverse()) {
    try { await p.stop(); } catch (e) { errors.push(e); log(`${p.name}: stop failed: ${(e as Error).message}`); }
  }
  return errors;
}

/**
 * Starts `parts` one after the other, in order. If one fails, or `signal` is aborted, the parts
 * already started are stopped, the last one first, and the start-up error is thrown: a node either
 * comes up whole or leaves nothing listening. The part that failed is stopped too (its own start may
 * have bound one socket of two before failing), which is why stop() must be safe after a failed start.
 */
export async function startInOrder(parts: readonly Startable[], signal: AbortSignal, log: (m: string) => void): Promise<StartedParts> {
  const started: Startable[] = [];
  for (const p of parts) {
    if (signal.aborted) { await stopAll(started, log); throw abortError(signal); }
    started.push(p);
    try {
      await p.start(signal);
    } catch (e) {
      log(`${p.name}: start failed (${(e as Error).message}); stopping the ${started.length - 1} part(s) started before it`);
      await stopAll(started, log);
      throw e;
    }
  }
  // Aborted while the last part was starting: that part finished, but nobody wants the node any more.
  if (signal.aborted) { await stopAll(started, log); throw abortError(signal); }
  let stopping: Promise<void> | undefined;
  return {
    stop: () => (stopping ??= stopAll(started, log).then((errors) => { if (errors.length > 0) throw errors[0]; })),
  };
}

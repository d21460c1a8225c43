import { compactHeap } from '../node/compact-heap.ts';
import { startSeedNode, type SeedNode, type SeedNodeInfo } from '../node/seed-node.ts';
import type { RecorderReport } from '../observation/recorder.ts';
import type { Context } from './context.ts';

export type { SeedNode, SeedNodeInfo } from '../node/seed-node.ts';

/** Starts the node on this data directory (the composition root, src/node/seed-node.ts). */
export async function startNode(ctx: Context, opts: { log?: (m: string) => void } = {}): Promise<SeedNode> {
  const node = await startSeedNode(ctx, opts.log ? { log: opts.log } : {});
  // The load's garbage is gone; give its freed heap pages back before serving (~20 MB with 100,000 decoys).
  compactHeap();
  return node;
}

export type { RecorderReport } from '../observation/recorder.ts';

/**
 * Serves every active decoy until `signal` aborts, then stops the node (announces `stopped`,
 * closes every session, writes every observation) and returns what was written, dropped or could
 * not be written. `onReady` runs once the node serves, `onStopping` once the signal fired.
 * Open `ctx` with withLockedContext: a node is the one writer of its data directory.
 */
export async function serveUntil(ctx: Context, input: {
  readonly signal: AbortSignal;
  readonly onReady?: (info: SeedNodeInfo) => void;
  readonly onStopping?: () => void;
}): Promise<RecorderReport> {
  const node = await startNode(ctx);
  input.onReady?.(node.info);
  if (!input.signal.aborted) await new Promise<void>((r) => input.signal.addEventListener('abort', () => r(), { once: true }));
  input.onStopping?.();
  return node.stop();
}

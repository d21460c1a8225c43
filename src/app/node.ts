import { compactHeap } from '../node/compact-heap.ts';
import { startSeedNode, type SeedNode, type SeedNodeInfo } from '../node/seed-node.ts';
import type { RecorderReport } from '../observation/recorder.ts';
import type { Context } from './context.ts';
import { assignmentLoop } from './centre-assignment.ts';
import type { NodeStatus } from '../node/seed-node.ts';

export type { NodeStatus, SeedNode, SeedNodeInfo } from '../node/seed-node.ts';

/** Starts the node on this data directory (the composition root, src/node/seed-node.ts). */
export async function startNode(ctx: Context, opts: { log?: (m: string) => void; signal?: AbortSignal } = {}): Promise<SeedNode> {
  const node = await startSeedNode(ctx, { ...(opts.log ? { log: opts.log } : {}), ...(opts.signal ? { signal: opts.signal } : {}) });
  // The load's garbage is gone; give its freed heap pages back before serving (~20 MB with 100,000 decoys).
  compactHeap();
  return node;
}

export type { RecorderReport } from '../observation/recorder.ts';

/**
 * Serves every active decoy until `signal` aborts, then stops the node (announces `stopped`,
 * closes every session, writes every observation) and returns what was written, dropped or could
 * not be written (undefined when the signal fired during start-up). `onReady` runs once the node serves, `onStopping` once the signal fired.
 * Open `ctx` with withLockedContext: a node is the one writer of its data directory.
 */
export async function serveUntil(ctx: Context, input: {
  readonly signal: AbortSignal;
  readonly onReady?: (info: SeedNodeInfo) => void;
  readonly onStopping?: () => void;
  /** Called every `statusEveryMs` while the node serves (issue 15 item 12: a periodic status line). */
  readonly onStatus?: (s: NodeStatus) => void;
  readonly statusEveryMs?: number;
}): Promise<RecorderReport | undefined> {
  // SIGINT/SIGTERM during start-up stops what has started (nothing stays bound): undefined, nothing served.
  const node = await startNode(ctx, { signal: input.signal }).catch((e: unknown) => { if (input.signal.aborted) return undefined; throw e; });
  if (!node) return undefined;
  input.onReady?.(node.info);
  const every = input.statusEveryMs ?? 0;
  const timer = input.onStatus && every > 0 ? setInterval(() => input.onStatus!(node.status()), every) : undefined;
  // Issue 12 item 4: a node with a centre pulls the campaigns assigned to it and reports its health.
  const pulling = new AbortController();
  const pull = ctx.settings.centreUrl === '' ? undefined
    : assignmentLoop(ctx, { url: ctx.settings.centreUrl, health: () => node.health(), onCreated: () => node.syncCampaigns(), signal: pulling.signal, log: ctx.log });
  try {
    if (!input.signal.aborted) await new Promise<void>((r) => input.signal.addEventListener('abort', () => r(), { once: true }));
  } finally { clearInterval(timer); pulling.abort(); await pull; }
  input.onStopping?.();
  return node.stop();
}

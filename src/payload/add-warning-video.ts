import type { Payload } from '../domain/payload.ts';
import type { PayloadRegistry } from './registry.ts';

export interface AddedWarningVideo {
  readonly payload: Payload;
  /** What happened besides registering, for the operator: the bytes were known, or the label changed. */
  readonly notice?: string;
}

/**
 * `payload add` (issue 15 item 7): registers a warning video, the source of every decoy's
 * variants, so anything that is not a video by its content is refused here, not at the
 * first build. Re-adding known bytes registers nothing new; a different `--label` replaces
 * the old one, and both cases are said. The label is the operator's name for the payload (it picks
 * `warning-<lang>` videos for campaign rows); the payload's identity, its SHA-256, and the
 * evidence that names it never change.
 */
export function addWarningVideo(registry: Pick<PayloadRegistry, 'stage' | 'register' | 'relabel'>, filePath: string, opts: { label?: string } = {}): AddedWarningVideo {
  const { payload, registered } = registry.stage(filePath, { ...opts, videoOnly: true });
  if (!registered) {
    registry.register(payload);
    return { payload };
  }
  const since = new Date(payload.addedAt).toISOString();
  // Without --label, a re-add from another path keeps the label (basename is only the first default).
  const label = opts.label ?? payload.label;
  if (label === payload.label) return { payload, notice: `already registered (since ${since}) as "${payload.label}"` };
  const relabelled = registry.relabel(payload.id, label);
  return { payload: relabelled, notice: `already registered (since ${since}); label changed from "${payload.label}" to "${relabelled.label}"` };
}

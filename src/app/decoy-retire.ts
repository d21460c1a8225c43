import { readListFile } from '../decoy/list-file.ts';
import type { Decoy } from '../domain/decoy.ts';
import { InputError, NotFoundError } from '../domain/errors.ts';
import type { Context } from './context.ts';

/** Decoys one `decoys retire` names at most: a day's release is 20,000; this bounds the look-ups. */
export const MAX_RETIRE = 1_000_000;

export interface RetireDecoysInput {
  /** Each an id (digits), an infohash (40 hex digits) or an exact torrent name. */
  readonly refs: readonly string[];
  /** Why, recorded with each retirement (default: "retired by hand"). */
  readonly reason?: string;
  readonly now?: () => number;
}

export interface RetireDecoysResult {
  /** Retired now: a running node stops serving and announcing them at its next decoy sync. */
  readonly retired: readonly Decoy[];
  /** Named but retired already: left as they were. */
  readonly alreadyRetired: readonly Decoy[];
}

/**
 * The references of a list file: one per line (id, infohash or name), blank lines and lines
 * starting with # skipped. Strict UTF-8, like every name list.
 */
export function readRetireList(file: string): string[] {
  return readListFile(file).split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
}

/**
 * Retires decoys by hand (issue 15 item 2: there was no way to stop serving one, and lab samples
 * stayed active): all or nothing. Every reference must name exactly one decoy, or nothing is
 * retired (NotFoundError for unknown ones, InputError for a name several decoys share: give their
 * ids). Each retirement is recorded with its time and reason; the decoy's records stay.
 */
export async function retireDecoys(ctx: Context, input: RetireDecoysInput): Promise<RetireDecoysResult> {
  const refs = [...new Set(input.refs)];
  if (refs.length === 0) throw new InputError('name at least one decoy: ID, INFOHASH or NAME (or --list FILE)');
  if (refs.length > MAX_RETIRE) throw new InputError(`at most ${MAX_RETIRE} decoys at a time, got ${refs.length}`);
  const reason = (input.reason ?? 'retired by hand').trim();
  if (reason === '' || reason.length > 500) throw new InputError('--reason: 1-500 characters');
  const found = new Map<number, Decoy>();
  const missing: string[] = [];
  const ambiguous: string[] = [];
  for (const ref of refs) {
    const matches = await lookUp(ctx, ref);
    if (matches.length === 0) missing.push(ref);
    else if (matches.length > 1) ambiguous.push(`"${ref}" (ids ${matches.map((d) => d.id).join(', ')})`);
    else found.set(matches[0]!.id, matches[0]!);
  }
  const few = (l: string[]) => `${l.slice(0, 10).join(', ')}${l.length > 10 ? ` and ${l.length - 10} more` : ''}`;
  if (missing.length > 0) throw new NotFoundError(`no decoy ${few(missing)}; nothing was retired`);
  if (ambiguous.length > 0) throw new InputError(`several decoys have the name ${few(ambiguous)}: give their ids; nothing was retired`);
  const decoys = [...found.values()];
  const done = new Set(await ctx.store.retireDecoys(decoys.map((d) => d.id), (input.now ?? Date.now)(), reason));
  return {
    retired: decoys.filter((d) => done.has(d.id)).map((d) => ({ ...d, status: 'retired' as const })),
    alreadyRetired: decoys.filter((d) => !done.has(d.id)),
  };
}

/** A reference's decoys: digits are an id, 40 hex digits an infohash, anything else the exact name. */
async function lookUp(ctx: Context, ref: string): Promise<Decoy[]> {
  if (/^[1-9][0-9]{0,15}$/.test(ref)) {
    const d = await ctx.store.getDecoy(Number(ref));
    return d ? [d] : [];
  }
  if (/^[0-9a-fA-F]{40}$/.test(ref)) return ctx.store.listDecoys({ infoHash: ref.toLowerCase(), limit: 2 });
  return ctx.store.listDecoys({ name: ref, limit: 100 });
}

import { NameListError, type NameListIssue } from './errors.ts';
import { buildVirtualDecoys, type BuiltDecoy, type DecoySpec, type FactoryOptions } from './factory.ts';

/** Decoys built between two looks at the event loop: a few hundred ms of work at most. */
const SLICE = 500;

/**
 * buildVirtualDecoys in slices, yielding to the event loop between them, so that SIGINT/SIGTERM stop
 * a build of thousands of names (issue 15, item 4: a 5,000-name build ignored both and committed).
 * Still all or nothing: every slice is built before anything is returned, bad rows of every slice are
 * reported together, and unsized rows stay unique across slices. Throws the signal's reason when it
 * is aborted; the caller has stored nothing by then.
 */
export async function buildInSlices(specs: readonly DecoySpec[], opts: SliceOptions): Promise<BuiltDecoy[]> {
  const out: BuiltDecoy[] = [];
  await buildEachSlice(specs, opts, (built) => { out.push(...built); });
  return out;
}

export type SliceOptions = FactoryOptions & { signal?: AbortSignal };

/**
 * The same build, handing each slice to `each` as soon as it is built and keeping none, so memory
 * stays that of one slice whatever the number of names (issue 15 item 13: holding 100,000 built
 * decoys peaked at 948 MB). `each` stores the slice in the caller's open transaction, which the
 * caller rolls back when this throws: a bad row in any slice (all are reported together; no slice
 * is handed over once one is found), the signal, or `each` itself. Returns the number of decoys built.
 */
export async function buildEachSlice(specs: readonly DecoySpec[], opts: SliceOptions, each: (built: BuiltDecoy[]) => void): Promise<number> {
  const { signal, onProgress, ...factory } = opts;
  const chosen = new Set<string>();
  const sizeTaken = (size: number, variantId: string) => chosen.has(`${variantId}:${size}`) || (opts.sizeTaken?.(size, variantId) ?? false);
  const issues: NameListIssue[] = [];
  let n = 0;
  for (let at = 0; at < specs.length; at += SLICE) {
    signal?.throwIfAborted();
    try {
      const built = buildVirtualDecoys(specs.slice(at, at + SLICE), {
        ...factory, sizeTaken, ...(onProgress ? { onProgress: (d: number) => onProgress(at + d, specs.length) } : {}),
      });
      for (const b of built) for (const f of b.files) chosen.add(`${f.variantId}:${f.size}`);
      n += built.length;
      if (issues.length === 0) each(built);
    } catch (e) {
      if (!(e instanceof NameListError)) throw e;
      issues.push(...e.issues);
    }
    await new Promise<void>((r) => setImmediate(r));
  }
  signal?.throwIfAborted();
  if (issues.length > 0) throw new NameListError(issues);
  return n;
}

import { identifyFile, type Identification } from '../decoy/identify.ts';
import { InputError } from '../domain/errors.ts';
import type { Context } from './context.ts';

export type { Identification, PieceMatch } from '../decoy/identify.ts';

/**
 * Is `file` (say, found on a seized device) one of this data directory's decoys, and which: by size,
 * content SHA-256 and piece SHA-1s. An unreadable file is InputError; the verdict is in the result
 * (`exact`, or `bySize` with matching pieces), not an error.
 */
export async function identifyDecoyFile(ctx: Pick<Context, 'store'>, input: { readonly file: string; readonly signal?: AbortSignal }): Promise<Identification> {
  try {
    return await identifyFile(input.file, (size) => ctx.store.listDecoys({ size }), input.signal ? { signal: input.signal } : {});
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code || e instanceof TypeError) throw new InputError(`cannot read ${input.file}: ${code ?? (e as Error).message}`);
    throw e;
  }
}

import { identifyFile, type FolderFile, type Identification } from '../decoy/identify.ts';
import { VirtualPieceSource } from '../decoy/virtual-source.ts';
import { InputError } from '../domain/errors.ts';
import type { Context } from './context.ts';

export type { FolderFile, Identification, PieceMatch } from '../decoy/identify.ts';

/**
 * Is `file` (say, found on a seized device) one of this data directory's decoys, and which: by size,
 * content SHA-256 and piece SHA-1s; or one file of a folder decoy, by that file's recomputed SHA-256.
 * An unreadable file is InputError; the verdict is in the result (`exact`, `inFolder`, or `bySize`
 * with matching pieces), not an error. `payloadLabels` names the payload of every decoy in it.
 */
export async function identifyDecoyFile(
  ctx: Pick<Context, 'store' | 'decoyFiles' | 'variants' | 'payloads'>, input: { readonly file: string; readonly signal?: AbortSignal },
): Promise<Identification & { readonly payloadLabels: ReadonlyMap<string, string> }> {
  let r: Identification;
  try {
    r = await identifyFile(input.file, (size) => ctx.store.listDecoys({ size }), {
      ...(input.signal ? { signal: input.signal } : {}),
      folderFilesOfSize: async (size) => {
        const out: FolderFile[] = [];
        for (const { decoyId, file } of ctx.decoyFiles.folderFilesOfSize(size)) {
          const decoy = await ctx.store.getDecoy(decoyId);
          if (!decoy) continue;
          const source = new VirtualPieceSource([{ layout: ctx.variants.layout(file.variantId, file.format), size: file.size, nonce: file.nonce }]);
          out.push({ decoy, path: file.path ?? [], variantId: file.variantId, format: file.format, source });
        }
        return out;
      },
    });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code || e instanceof TypeError) throw new InputError(`cannot read ${input.file}: ${code ?? (e as Error).message}`);
    throw e;
  }
  const ids = new Set([...r.bySize.map((m) => m.decoy.payloadId), ...r.inFolder.map((f) => f.decoy.payloadId)]);
  return { ...r, payloadLabels: new Map([...ids].map((id) => [id, ctx.payloads.get(id).label])) };
}
